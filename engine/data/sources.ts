/**
 * Where dataset bytes come from: a file inside the allowed data directories, an http(s) URL, or
 * inline base64 (a chat upload). Every source obeys the same byte cap, checked before or while
 * reading so an oversized input never sits in memory whole. URLs reach public addresses only
 * (download.ts).
 *
 * A file is opened as a LoadSource and read where it is needed, never held: Parquet reads its
 * column chunks, the raw copy for the store is read once more at save time. Every read re-checks
 * that the file is still the one first opened, so all reads of one load see the same bytes.
 */
import { open, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import type { Config } from '../config.js';
import { dataDirectories } from '../config.js';
import type { Resolver } from './download.js';
import { download, tooLarge } from './download.js';
import type { UrlAllowlist } from './url-guard.js';
import { parseAllowlist } from './url-guard.js';

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
  /** Non-public hosts and ranges the operator opened (GENAUTOML_URL_ALLOW_HOSTS); none by default. */
  urlAllow?: UrlAllowlist;
  /** DNS resolution for URL sources (tests inject one). */
  resolve?: Resolver;
}

export function limitsFromConfig(config: Config, cwd: string = process.cwd()): SourceLimits {
  return {
    allowedDirs: dataDirectories(config, cwd),
    maxBytes: config.maxUploadBytes,
    urlTimeoutMs: config.urlTimeoutMs,
    urlAllow: parseAllowlist(config.urlAllowHosts),
  };
}

export type FormatHint = 'csv' | 'parquet' | 'unknown';

export interface SourceBytes {
  bytes: Uint8Array;
  /** A display name: the file name, the URL's last path segment, or the inline name. */
  name: string;
  /** From the extension or Content-Type; detection from the bytes has the final word. */
  formatHint: FormatHint;
}

/** A source opened for one load: read in ranges or whole, as often as needed. */
export interface LoadSource {
  name: string;
  formatHint: FormatHint;
  byteLength: number;
  /** Bytes [start, end) (within the source). */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Every byte; for a file, read again on each call (nothing is kept between calls). */
  readAll(): Promise<Uint8Array>;
}

export async function openSource(source: DataSource, limits: SourceLimits): Promise<LoadSource> {
  switch (source.kind) {
    case 'path':
      return openPath(source.path, limits);
    case 'url':
      return inMemory(await readUrl(source.url, limits));
    case 'inline':
      return inMemory(readInline(source.content, source.name ?? 'upload', limits));
  }
}

/** The whole source in memory (label windows, small files). */
export async function readSource(source: DataSource, limits: SourceLimits): Promise<SourceBytes> {
  const opened = await openSource(source, limits);
  return { bytes: await opened.readAll(), name: opened.name, formatHint: opened.formatHint };
}

function inMemory(held: SourceBytes): LoadSource {
  const { bytes } = held;
  return {
    name: held.name,
    formatHint: held.formatHint,
    byteLength: bytes.byteLength,
    read: async (start, end) => bytes.subarray(start, end),
    readAll: async () => bytes,
  };
}

function hintFromName(name: string): FormatHint {
  const ext = path.extname(name.toLowerCase());
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  return 'unknown';
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

async function openPath(p: string, limits: SourceLimits): Promise<LoadSource> {
  const real = await resolveAllowedPath(p, limits.allowedDirs);
  const info = await stat(real);
  if (!info.isFile()) {
    throw new GenAutoMLError('data.not_a_file', `"${p}" is not a regular file.`, { hint: 'Name a CSV or Parquet file.' });
  }
  const name = path.basename(real);
  if (info.size > limits.maxBytes) throw tooLarge(`"${path.basename(p)}"`, limits.maxBytes, info.size);
  const size = info.size;
  const read = async (start: number, end: number): Promise<Uint8Array> => {
    const from = Math.max(0, Math.min(start, size));
    const to = Math.max(from, Math.min(end, size));
    const handle = await open(real, 'r');
    try {
      // The same file as at the first stat (a swap or rewrite since shows in these fields), so a
      // Parquet footer and its chunks, or the parsed text and the stored raw copy, always agree.
      if (!sameFile(info, await handle.stat())) throw fileChanged(name);
      const buf = new Uint8Array(to - from);
      let filled = 0;
      while (filled < buf.length) {
        const { bytesRead } = await handle.read(buf, filled, buf.length - filled, from + filled);
        if (bytesRead === 0) throw fileChanged(name);
        filled += bytesRead;
      }
      return buf;
    } finally {
      await handle.close();
    }
  };
  return { name, formatHint: hintFromName(name), byteLength: size, read, readAll: () => read(0, size) };
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && b.isFile();
}

function fileChanged(name: string): GenAutoMLError {
  return new GenAutoMLError('data.file_changed', `"${name}" changed on disk while it was being loaded.`, {
    hint: 'Load it again once nothing is writing to it (or load a finished copy).',
  });
}

async function readUrl(url: string, limits: SourceLimits): Promise<SourceBytes> {
  const parsed = new URL(url);
  const got = await download(parsed, {
    maxBytes: limits.maxBytes,
    urlTimeoutMs: limits.urlTimeoutMs,
    allow: limits.urlAllow ?? parseAllowlist([]),
    ...(limits.resolve ? { resolve: limits.resolve } : {}),
  });
  const last = decodeURIComponent(got.url.pathname.split('/').filter(Boolean).pop() ?? got.url.host);
  const type = got.contentType;
  const formatHint: FormatHint = type.includes('parquet') ? 'parquet' : type.includes('csv') ? 'csv' : hintFromName(last);
  return { bytes: got.bytes, name: last, formatHint };
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
