/**
 * The HTTP transport's gatekeeping, as pure functions so each rule is unit-tested on its own:
 * who may start (configuration), which Host and Origin headers are accepted (DNS rebinding and
 * browser pages), and the bearer token comparison.
 *
 * Host policy: bound to loopback, only localhost / 127.0.0.1 / [::1] with the bound port are
 * accepted unless GENAUTOML_HTTP_ALLOWED_HOSTS says otherwise, because DNS rebinding is an attack
 * on servers reachable from the victim's browser at a loopback address. Bound to any other
 * address, every Host is accepted unless the list is set: such a server always requires the
 * bearer token, which a rebinding page cannot know, and reverse proxies rewrite Host freely.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { Config } from '../../engine/config.js';
import { GenAutoMLError } from '../../engine/errors.js';

export type HttpConfig = Pick<Config, 'httpHost' | 'httpPort' | 'httpToken' | 'httpAuth' | 'httpAllowedOrigins' | 'httpAllowedHosts'>;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Refuses combinations that would expose the server without a token. */
export function checkHttpConfig(c: HttpConfig): void {
  const problems: string[] = [];
  if (c.httpAuth === 'disabled' && !isLoopbackHost(c.httpHost)) {
    problems.push(
      `GENAUTOML_HTTP_AUTH=disabled is only allowed on a loopback address, but GENAUTOML_HTTP_HOST is ${c.httpHost}: set GENAUTOML_HTTP_TOKEN and remove GENAUTOML_HTTP_AUTH, or bind to 127.0.0.1`,
    );
  }
  if (c.httpAuth === 'required' && !c.httpToken) {
    problems.push('GENAUTOML_HTTP_TOKEN is required by `genautoml serve` (a secret of at least 16 characters, e.g. `openssl rand -hex 32`); on a loopback address GENAUTOML_HTTP_AUTH=disabled turns authentication off instead');
  }
  if (problems.length > 0) {
    throw new GenAutoMLError('config.invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix the HTTP settings listed; docs/configuration.md describes each one.',
      details: { problems },
    });
  }
}

/** Accepted Host header values (lower case), or null for any. */
export function allowedHosts(c: HttpConfig, boundPort: number): string[] | null {
  if (c.httpAllowedHosts && c.httpAllowedHosts.length > 0) return c.httpAllowedHosts.map((h) => h.toLowerCase());
  if (!isLoopbackHost(c.httpHost)) return null;
  return ['localhost', '127.0.0.1', '[::1]'].map((h) => `${h}:${boundPort}`);
}

/** An entry with a port must match exactly; an entry without one accepts any port. */
export function hostAllowed(header: string | undefined, allowed: string[] | null): boolean {
  if (allowed === null) return true;
  if (!header) return false;
  const value = header.trim().toLowerCase();
  const bare = value.replace(/:\d+$/, '');
  return allowed.some((entry) => entry === value || (!/:\d+$/.test(entry) && entry === bare));
}

/**
 * Accepted browser origins: the configured list, plus, on a loopback bind, the server's own
 * loopback origins (http://127.0.0.1:PORT, http://localhost:PORT, http://[::1]:PORT). A page served
 * by this very server at its own address is not a rebinding attack, and the MCP Inspector and the
 * conformance suite send exactly these; a rebinding page's origin is its attacker's host name.
 */
export function allowedOrigins(c: HttpConfig, boundPort: number): string[] {
  const own = isLoopbackHost(c.httpHost) ? ['127.0.0.1', 'localhost', '[::1]'].map((h) => `http://${h}:${boundPort}`) : [];
  return [...c.httpAllowedOrigins, ...own];
}

/** A request without Origin is not from a browser page and passes; one with Origin must be listed. */
export function originAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined) return true;
  const norm = (o: string): string => o.trim().replace(/\/+$/, '').toLowerCase();
  return allowed.some((o) => norm(o) === norm(header));
}

export type TokenCheck = 'ok' | 'missing' | 'invalid';

/** Compares digests so the time taken reveals neither the token nor its length. */
export function checkBearer(header: string | undefined, token: string): TokenCheck {
  const match = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) return 'missing';
  const a = createHash('sha256').update(match[1]).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) ? 'ok' : 'invalid';
}
