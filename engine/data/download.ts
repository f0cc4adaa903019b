/**
 * Downloading a dataset URL without becoming a proxy into the server's network. Each hop (the URL
 * and every redirect) is resolved once, every resolved address is checked (url-guard.ts), and
 * the socket connects to the checked address through a pinned `lookup`, so a DNS answer that
 * changes between check and connect (rebinding) cannot redirect it. Refusals happen before any
 * connection, so the answer never depends on whether a port is open.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { GenAutoMLError } from '../errors.js';
import type { UrlAllowlist } from './url-guard.js';
import { allowed, forbiddenReason } from './url-guard.js';

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface DownloadLimits {
  maxBytes: number;
  urlTimeoutMs: number;
  allow: UrlAllowlist;
  /** DNS resolution; tests inject one to prove that only one lookup per hop is made. */
  resolve?: Resolver;
}

export interface Downloaded {
  bytes: Uint8Array;
  /** The URL the bytes came from, after redirects. */
  url: URL;
  contentType: string;
}

const MAX_REDIRECTS = 5;

const systemResolver: Resolver = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function forbidden(host: string, why: string): GenAutoMLError {
  return new GenAutoMLError('data.url_forbidden', `${host} is not a public internet address (${why}); downloads from it are refused.`, {
    hint: 'Give a public http(s) URL, upload the file instead, or (operators) name the host or range in GENAUTOML_URL_ALLOW_HOSTS.',
    details: { host },
  });
}

function failed(host: string, cause: unknown): GenAutoMLError {
  // One message for refused, reset and unreachable alike: the difference is what a port scanner reads.
  return new GenAutoMLError('data.url_failed', `Could not download from ${host}.`, {
    hint: 'Check the URL and that this server can reach it.',
    cause,
  });
}

/** Resolves a hop's host and checks every address; returns the one to connect to. */
async function checkedAddress(url: URL, limits: DownloadLimits): Promise<{ address: string; family: number }> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname);
  let addresses: { address: string; family: number }[];
  if (literal !== 0) addresses = [{ address: hostname, family: literal }];
  else {
    try {
      addresses = await (limits.resolve ?? systemResolver)(hostname);
    } catch (err) {
      throw new GenAutoMLError('data.url_failed', `Could not resolve ${hostname}.`, { hint: 'Check the host name in the URL.', cause: err });
    }
  }
  if (addresses.length === 0) throw new GenAutoMLError('data.url_failed', `Could not resolve ${hostname}.`, { hint: 'Check the host name in the URL.' });
  // Every answer must pass: a name that resolves to one public and one private address could
  // otherwise be connected to either.
  for (const a of addresses) {
    const why = forbiddenReason(a.address);
    if (why !== undefined && !allowed(limits.allow, hostname, a.address)) throw forbidden(hostname, why);
  }
  return addresses[0] as { address: string; family: number };
}

/** Fetches `start` following at most five redirects, each one checked like the first URL. */
export async function download(start: URL, limits: DownloadLimits): Promise<Downloaded> {
  const controller = new AbortController();
  // One deadline for the whole download, not only for the headers: a server that trickles bytes
  // forever is as stuck as one that never answers.
  const timer = setTimeout(() => controller.abort(), limits.urlTimeoutMs);
  const timedOut = (): GenAutoMLError =>
    new GenAutoMLError('data.url_timeout', `Downloading ${start.host} took longer than ${limits.urlTimeoutMs} ms.`, {
      hint: 'Check the URL, or raise GENAUTOML_URL_TIMEOUT_MS for a slow server.',
      details: { timeoutMs: limits.urlTimeoutMs },
    });
  try {
    let url = start;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new GenAutoMLError('data.url_scheme', `Only http and https URLs are accepted, not ${url.protocol}`, {
          hint: 'Give an http(s) URL, a path inside the data directories, or upload the file.',
        });
      }
      const pinned = await checkedAddress(url, limits);
      if (controller.signal.aborted) throw timedOut();
      const res = await request(url, pinned, controller.signal).catch((err: unknown) => {
        throw controller.signal.aborted ? timedOut() : failed(url.host, err);
      });
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status)) {
        res.resume();
        const location = res.headers.location;
        if (location === undefined || hop >= MAX_REDIRECTS) {
          throw new GenAutoMLError('data.url_redirects', `${start.host} redirected too often or without a location.`, {
            hint: 'Give the final URL of the file.',
          });
        }
        url = new URL(location, url);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw new GenAutoMLError('data.url_status', `${url.host} answered HTTP ${status}.`, {
          hint: 'Check the URL; the server must answer 200 with the file.',
          details: { status },
        });
      }
      const bytes = await readBody(res, limits.maxBytes).catch((err: unknown) => {
        if (err instanceof GenAutoMLError) throw err;
        throw controller.signal.aborted ? timedOut() : failed(url.host, err);
      });
      return { bytes, url, contentType: String(res.headers['content-type'] ?? '') };
    }
  } finally {
    clearTimeout(timer);
  }
}

function request(url: URL, pinned: { address: string; family: number }, signal: AbortSignal): Promise<http.IncomingMessage> {
  // The connection goes to the address checked above, whatever DNS would answer now; TLS still
  // verifies the certificate against the host name.
  const lookup: LookupFunction = (_host, options, cb) => {
    if (options.all) cb(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  };
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { lookup, signal, headers: { 'accept-encoding': 'identity', 'user-agent': 'genautoml' } }, resolve);
    req.on('error', reject);
  });
}

export function tooLarge(what: string, limit: number, seen?: number): GenAutoMLError {
  return new GenAutoMLError('data.too_large', `${what} is larger than the ${formatBytes(limit)} limit.`, {
    hint: 'Use a smaller extract, or raise GENAUTOML_MAX_UPLOAD_BYTES.',
    details: { limitBytes: limit, ...(seen === undefined ? {} : { sizeBytes: seen }) },
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

async function readBody(res: http.IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge('The download', maxBytes, declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    // Content-Length can lie or be absent: count what actually arrives and stop at the cap.
    if (total > maxBytes) {
      res.destroy();
      throw tooLarge('The download', maxBytes);
    }
    chunks.push(chunk);
  }
  if (!res.complete) throw new Error('the response ended early');
  return new Uint8Array(Buffer.concat(chunks, total));
}
