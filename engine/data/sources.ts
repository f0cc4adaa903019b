/**
 * Where dataset bytes come from: a file inside the allowed data directories, an http(s) URL, or
 * inline base64 (a chat upload). Every source obeys the same byte cap, checked before or while
 * reading so an oversized input never sits in memory whole.
 */
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import type { Config } from '../config.js';
import { dataDirectories } from '../config.js';

export const sourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  z.object({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }),
  z.object({
    kind: z.literal('inline'),
    /** base64 of the file's bytes, as a chat upload arrives. */
    content: z.string().min(1),
    name: z.string().min(1).optional(),
  }),
]);
export type DataSource = z.infer<typeof sourceSchema>;

export interface SourceLimits {
  /** Directories a path source must resolve into (already absolute). */
  allowedDirs: string[];
  maxBytes: number;
  urlTimeoutMs: number;
}

export function limitsFromConfig(config: Config, cwd: string = process.cwd()): SourceLimits {
  return { allowedDirs: dataDirectories(config, cwd), maxBytes: config.maxUploadBytes, urlTimeoutMs: config.urlTimeoutMs };
}

export type FormatHint = 'csv' | 'parquet' | 'unknown';

export interface SourceBytes {
  bytes: Uint8Array;
  /** A display name: the file name, the URL's last path segment, or the inline name. */
  name: string;
  /** From the extension or Content-Type; detection from the bytes has the final word. */
  formatHint: FormatHint;
}

export async function readSource(source: DataSource, limits: SourceLimits): Promise<SourceBytes> {
  switch (source.kind) {
    case 'path':
      return readPath(source.path, limits);
    case 'url':
      return readUrl(source.url, limits);
    case 'inline':
      return readInline(source.content, source.name ?? 'upload', limits);
  }
}

function hintFromName(name: string): FormatHint {
  const ext = path.extname(name.toLowerCase());
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  return 'unknown';
}

function tooLarge(what: string, limit: number, seen?: number): GenAutoMLError {
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

/** True when `child` is `dir` or below it (both already real, absolute paths). */
function isInside(child: string, dir: string): boolean {
  const rel = path.relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export async function resolveAllowedPath(p: string, allowedDirs: string[]): Promise<string> {
  const outside = (): GenAutoMLError =>
    new GenAutoMLError('data.path_outside', `"${p}" is not inside the allowed data directories.`, {
      hint: 'Put the file in one of the data directories, or add its directory to GENAUTOML_DATA_DIRS.',
      details: { allowedDirs },
    });
  // Relative paths are taken from the first data directory, the place users think of as "here".
  const base = allowedDirs[0];
  if (base === undefined) throw outside();
  const absolute = path.resolve(base, p);
  let real: string;
  try {
    // realpath resolves `..` and every symlink, so the check below sees where the bytes really are.
    real = await realpath(absolute);
  } catch (err) {
    // Say "outside" rather than "missing" for paths outside: no probing of the file system.
    const dirsReal = await Promise.all(allowedDirs.map((d) => realpath(d).catch(() => path.resolve(d))));
    if (!dirsReal.some((d) => isInside(path.resolve(absolute), d))) throw outside();
    throw new GenAutoMLError('data.not_found', `No file at "${p}".`, {
      hint: 'Check the name; relative paths start at the first data directory.',
      cause: err,
    });
  }
  for (const dir of allowedDirs) {
    const realDir = await realpath(dir).catch(() => null);
    if (realDir !== null && isInside(real, realDir)) return real;
  }
  throw outside();
}

async function readPath(p: string, limits: SourceLimits): Promise<SourceBytes> {
  const real = await resolveAllowedPath(p, limits.allowedDirs);
  const info = await stat(real);
  if (!info.isFile()) {
    throw new GenAutoMLError('data.not_a_file', `"${p}" is not a regular file.`, { hint: 'Name a CSV or Parquet file.' });
  }
  if (info.size > limits.maxBytes) throw tooLarge(`"${path.basename(p)}"`, limits.maxBytes, info.size);
  const handle = await open(real, 'r');
  try {
    // Read at most cap+1 bytes: a file that grew since stat() is still caught.
    const buf = new Uint8Array(Math.min(info.size, limits.maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length) break;
    }
    if (filled > limits.maxBytes) throw tooLarge(`"${path.basename(p)}"`, limits.maxBytes);
    const name = path.basename(real);
    return { bytes: buf.subarray(0, filled), name, formatHint: hintFromName(name) };
  } finally {
    await handle.close();
  }
}

async function readUrl(url: string, limits: SourceLimits): Promise<SourceBytes> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new GenAutoMLError('data.url_scheme', `Only http and https URLs are accepted, not ${parsed.protocol}`, {
      hint: 'Give an http(s) URL, a path inside the data directories, or upload the file.',
    });
  }
  const controller = new AbortController();
  // One deadline for the whole download, not only for the headers: a server that trickles bytes
  // forever is as stuck as one that never answers.
  const timer = setTimeout(() => controller.abort(), limits.urlTimeoutMs);
  const timedOut = (): GenAutoMLError =>
    new GenAutoMLError('data.url_timeout', `Downloading ${parsed.host} took longer than ${limits.urlTimeoutMs} ms.`, {
      hint: 'Check the URL, or raise GENAUTOML_URL_TIMEOUT_MS for a slow server.',
      details: { timeoutMs: limits.urlTimeoutMs },
    });
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      if (controller.signal.aborted) throw timedOut();
      throw new GenAutoMLError('data.url_failed', `Could not fetch ${parsed.host}: ${(err as Error).message}`, {
        hint: 'Check the URL and that this host can reach it.',
        cause: err,
      });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new GenAutoMLError('data.url_status', `${parsed.host} answered HTTP ${res.status}.`, {
        hint: 'Check the URL; the server must answer 200 with the file.',
        details: { status: res.status },
      });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge('The download', limits.maxBytes, declared);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength;
          // Content-Length can lie or be absent: count what actually arrives and stop at the cap.
          if (total > limits.maxBytes) {
            await reader.cancel().catch(() => undefined);
            throw tooLarge('The download', limits.maxBytes);
          }
          chunks.push(value);
        }
      } catch (err) {
        if (err instanceof GenAutoMLError) throw err;
        if (controller.signal.aborted) throw timedOut();
        throw new GenAutoMLError('data.url_failed', `Download from ${parsed.host} broke off: ${(err as Error).message}`, {
          hint: 'Try again; check the server.',
          cause: err,
        });
      }
    }
    const bytes = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      bytes.set(c, off);
      off += c.byteLength;
    }
    const last = decodeURIComponent(parsed.pathname.split('/').filter(Boolean).pop() ?? parsed.host);
    const type = res.headers.get('content-type') ?? '';
    const formatHint: FormatHint = type.includes('parquet') ? 'parquet' : type.includes('csv') ? 'csv' : hintFromName(last);
    return { bytes, name: last, formatHint };
  } finally {
    clearTimeout(timer);
  }
}

function readInline(content: string, name: string, limits: SourceLimits): SourceBytes {
  const compact = content.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  // Check the size from the encoded length before decoding anything.
  if (Math.floor((compact.length * 3) / 4) - 2 > limits.maxBytes) throw tooLarge('The upload', limits.maxBytes);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) {
    throw new GenAutoMLError('data.bad_base64', 'Inline content is not valid base64.', {
      hint: 'Send the file bytes base64-encoded, or give a path or URL instead.',
    });
  }
  const bytes = new Uint8Array(Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64'));
  if (bytes.byteLength > limits.maxBytes) throw tooLarge('The upload', limits.maxBytes, bytes.byteLength);
  return { bytes, name, formatHint: hintFromName(name) };
}
