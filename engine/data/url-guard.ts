/**
 * Which addresses a dataset URL may reach. A server that downloads what a remote caller names is
 * a proxy into its own network (SSRF): loopback services, the cloud metadata endpoint at
 * 169.254.169.254, databases on private ranges. Every address a host name resolves to is checked
 * here, after DNS and before any connection, and the download then connects to exactly the
 * address that was checked (a second lookup could answer differently: DNS rebinding).
 */
import { isIP } from 'node:net';

/** Parsed allowlist: exact host names and address ranges an operator opened on purpose. */
export interface UrlAllowlist {
  hosts: Set<string>;
  ranges: Cidr[];
}

interface Cidr {
  /** 16 bytes; IPv4 ranges are held as IPv4-mapped IPv6 so one comparison serves both. */
  bytes: Uint8Array;
  bits: number;
  text: string;
}

/** Non-public IPv4 ranges (RFC 6890 special-purpose registry, the parts that are not the internet). */
const V4_BLOCKED: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT (shared)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (incl. cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

const V6_BLOCKED: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated, private)'],
  ['ff00::', 8, 'multicast'],
  ['2001:db8::', 32, 'documentation'],
  ['100::', 64, 'discard-only'],
];

const BLOCKED: (Cidr & { why: string })[] = [
  ...V4_BLOCKED.map(([a, bits, why]) => ({ bytes: mapped(parseV4(a) as Uint8Array), bits: bits + 96, text: `${a}/${bits}`, why })),
  ...V6_BLOCKED.map(([a, bits, why]) => ({ bytes: parseV6(a) as Uint8Array, bits, text: `${a}/${bits}`, why })),
];

function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function parseV6(input: string): Uint8Array | undefined {
  let s = input.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // A trailing dotted quad (::ffff:127.0.0.1) becomes two hex groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v4 = parseV4(dotted[2] as string);
    if (!v4) return undefined;
    s = `${dotted[1]}${(((v4[0] as number) << 8) | (v4[1] as number)).toString(16)}:${(((v4[2] as number) << 8) | (v4[3] as number)).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i] as string;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

/** Any textual address (IPv4, IPv6, bracketed, with zone) to 16 bytes; undefined if not an IP. */
export function addressBytes(address: string): Uint8Array | undefined {
  const v4 = parseV4(address);
  if (v4) return mapped(v4);
  return address.includes(':') ? parseV6(address) : undefined;
}

function inRange(a: Uint8Array, r: Cidr): boolean {
  let bits = r.bits;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[i] as number) & mask) !== ((r.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::). Such forms reach
 * the embedded IPv4 host, so they are judged as that host.
 */
function embeddedV4(a: Uint8Array): Uint8Array | undefined {
  const zero = (from: number, to: number): boolean => a.subarray(from, to).every((b) => b === 0);
  if (zero(0, 10) && a[10] === 0xff && a[11] === 0xff) return a.subarray(12);
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && a[15] === 1)) return a.subarray(12);
  if (a[0] === 0x00 && a[1] === 0x64 && a[2] === 0xff && a[3] === 0x9b && zero(4, 12)) return a.subarray(12);
  if (a[0] === 0x20 && a[1] === 0x02) return a.subarray(2, 6);
  return undefined;
}

/** Why an address is not public, or undefined when it is an ordinary internet address. */
export function forbiddenReason(address: string): string | undefined {
  const a = addressBytes(address);
  if (!a) return 'not an IP address';
  const v4 = embeddedV4(a);
  const subject = v4 ? mapped(v4) : a;
  for (const r of BLOCKED) if (inRange(subject, r)) return `${r.why}, ${r.text}`;
  return undefined;
}

/** GENAUTOML_URL_ALLOW_HOSTS entries: host names, IP addresses, CIDR ranges. */
export function parseAllowlist(entries: readonly string[] | undefined): UrlAllowlist {
  const list: UrlAllowlist = { hosts: new Set(), ranges: [] };
  for (const raw of entries ?? []) {
    const e = raw.trim().toLowerCase();
    if (e === '') continue;
    const slash = e.lastIndexOf('/');
    const addr = slash >= 0 ? e.slice(0, slash) : e;
    const bytes = addressBytes(addr);
    if (bytes) {
      const isV4 = isIP(addr.replace(/^\[|\]$/g, '')) === 4;
      const given = slash >= 0 ? Number(e.slice(slash + 1)) : isV4 ? 32 : 128;
      const bits = isV4 ? given + 96 : given;
      if (Number.isInteger(given) && bits >= 0 && bits <= 128) list.ranges.push({ bytes, bits, text: e });
      continue;
    }
    list.hosts.add(e.replace(/\.$/, ''));
  }
  return list;
}

/** True when the operator's allowlist opens this host name or address. */
export function allowed(list: UrlAllowlist, hostname: string, address: string): boolean {
  if (list.hosts.has(hostname.toLowerCase().replace(/\.$/, ''))) return true;
  const a = addressBytes(address);
  if (!a) return false;
  const v4 = embeddedV4(a);
  return list.ranges.some((r) => inRange(a, r) || (v4 !== undefined && inRange(mapped(v4), r)));
}
