import { mkdir, mkdtemp, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openSource, parseParquet, prepareFromSource, readSource } from '../../../engine/data/index.js';
import { parseAllowlist } from '../../../engine/data/url-guard.js';
import type { SourceLimits } from '../../../engine/data/index.js';
import { csvOf, hours } from './helpers.js';

let root: string;
let dataDir: string;
let server: http.Server;
let base: string;
const sockets = new Set<Socket>();
const CSV = csvOf(['date', 'a', 'b'], hours(20).map((t, i) => [t, i, i % 3]));

/** An hourly Parquet file of `n` rows in row groups of `n / 5`, so a reader has several chunks to fetch. */
function parquetSample(n: number): Uint8Array {
  const t0 = Date.UTC(2024, 0, 1);
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'time', data: Array.from({ length: n }, (_, i) => new Date(t0 + i * 3_600_000)), type: 'TIMESTAMP' },
        { name: 'load', data: Float64Array.from({ length: n }, (_, i) => Math.sin(i / 6) * 10 + i / 50), type: 'DOUBLE' },
        { name: 'temp', data: Float64Array.from({ length: n }, (_, i) => 20 + (i % 24) / 3), type: 'DOUBLE' },
      ],
      rowGroupSize: Math.ceil(n / 5),
    }),
  );
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GenAutoMLError) return err.code;
    throw err;
  }
  return 'no error';
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'genautoml-sources-'));
  dataDir = path.join(root, 'data');
  await mkdir(path.join(dataDir, 'sub'), { recursive: true });
  await writeFile(path.join(dataDir, 'ok.csv'), CSV);
  await writeFile(path.join(dataDir, 'sub', 'nested.csv'), CSV);
  await writeFile(path.join(root, 'secret.csv'), CSV);
  await symlink(path.join(root, 'secret.csv'), path.join(dataDir, 'link-out.csv'));
  await symlink(root, path.join(dataDir, 'dir-link'));
  await symlink(path.join(dataDir, 'ok.csv'), path.join(dataDir, 'link-in.csv'));

  server = http.createServer((req, res) => {
    if (req.url === '/ok.csv') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(CSV);
    } else if (req.url === '/hang') {
      // Never answers: the client's timeout must fire.
    } else if (req.url === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('date,a\n');
      // Headers and a first chunk, then nothing: the whole-download deadline must still fire.
    } else if (req.url === '/big-declared') {
      res.writeHead(200, { 'content-length': String(10_000_000) });
      res.write('x'.repeat(1000));
    } else if (req.url === '/big-chunked') {
      // No Content-Length: the cap must be enforced while streaming.
      res.writeHead(200, { 'content-type': 'text/csv' });
      const chunk = 'y'.repeat(4096);
      let sent = 0;
      const pump = (): void => {
        while (sent < 2_000_000) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    } else if (req.url === '/to-ok') {
      res.writeHead(302, { location: '/ok.csv' });
      res.end();
    } else if (req.url === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (req.url === '/to-loopback-2') {
      res.writeHead(301, { location: `http://127.0.0.2:${(server.address() as AddressInfo).port}/ok.csv` });
      res.end();
    } else if (req.url === '/to-mapped') {
      res.writeHead(307, { location: `http://[::ffff:10.0.0.1]:${(server.address() as AddressInfo).port}/ok.csv` });
      res.end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (req.url === '/missing') {
      res.writeHead(404);
      res.end();
    } else {
      res.writeHead(500);
      res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

const limits = (over: Partial<SourceLimits> = {}): SourceLimits => ({ allowedDirs: [dataDir], maxBytes: 100_000, urlTimeoutMs: 2000, ...over });
/** The local test server is loopback, which only an operator's allowlist opens. */
const urlLimits = (over: Partial<SourceLimits> = {}): SourceLimits => limits({ urlAllow: parseAllowlist(['127.0.0.1']), ...over });

describe('path sources', () => {
  it('reads a file inside a data directory, relative or absolute', async () => {
    const rel = await readSource({ kind: 'path', path: 'ok.csv' }, limits());
    expect(new TextDecoder().decode(rel.bytes)).toBe(CSV);
    expect(rel).toMatchObject({ name: 'ok.csv', formatHint: 'csv' });
    const abs = await readSource({ kind: 'path', path: path.join(dataDir, 'sub', 'nested.csv') }, limits());
    expect(abs.bytes.byteLength).toBe(CSV.length);
  });

  it('follows a symlink that stays inside', async () => {
    expect((await readSource({ kind: 'path', path: 'link-in.csv' }, limits())).bytes.byteLength).toBe(CSV.length);
  });

  it.each([
    ['.. escape', '../secret.csv'],
    ['.. inside a longer path', 'sub/../../secret.csv'],
    ['absolute path outside', '/etc/passwd'],
    ['symlinked file pointing outside', 'link-out.csv'],
    ['symlinked directory pointing outside', 'dir-link/secret.csv'],
    ['missing file outside', '../nope.csv'],
  ])('refuses %s', async (_what, p) => {
    expect(await codeOf(readSource({ kind: 'path', path: p }, limits()))).toBe('data.path_outside');
  });

  it('says not found for a missing file inside', async () => {
    expect(await codeOf(readSource({ kind: 'path', path: 'nope.csv' }, limits()))).toBe('data.not_found');
  });

  it('refuses a directory and a file over the cap', async () => {
    expect(await codeOf(readSource({ kind: 'path', path: 'sub' }, limits()))).toBe('data.not_a_file');
    expect(await codeOf(readSource({ kind: 'path', path: 'ok.csv' }, limits({ maxBytes: 100 })))).toBe('data.too_large');
  });
});

describe('inline sources', () => {
  it('decodes base64 (also with a data: prefix and line breaks)', async () => {
    const b64 = Buffer.from(CSV).toString('base64');
    const out = await readSource({ kind: 'inline', content: b64, name: 'upload.csv' }, limits());
    expect(new TextDecoder().decode(out.bytes)).toBe(CSV);
    const wrapped = 'data:text/csv;base64,' + b64.replace(/(.{60})/g, '$1\n');
    expect((await readSource({ kind: 'inline', content: wrapped }, limits())).bytes.byteLength).toBe(CSV.length);
  });

  it('refuses invalid base64 and uploads over the cap', async () => {
    expect(await codeOf(readSource({ kind: 'inline', content: 'not base64 at all!' }, limits()))).toBe('data.bad_base64');
    const big = Buffer.alloc(5000, 65).toString('base64');
    expect(await codeOf(readSource({ kind: 'inline', content: big }, limits({ maxBytes: 1024 })))).toBe('data.too_large');
  });
});

describe('url sources', () => {
  it('downloads a file', async () => {
    const out = await readSource({ kind: 'url', url: `${base}/ok.csv` }, urlLimits());
    expect(out).toMatchObject({ name: 'ok.csv', formatHint: 'csv' });
    expect(new TextDecoder().decode(out.bytes)).toBe(CSV);
  });

  it('times out on a server that never answers', async () => {
    const t0 = Date.now();
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/hang` }, urlLimits({ urlTimeoutMs: 300 })))).toBe('data.url_timeout');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('times out on a server that stops sending mid-body', async () => {
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/trickle` }, urlLimits({ urlTimeoutMs: 300 })))).toBe('data.url_timeout');
  });

  it('refuses a download over the cap, declared or streamed', async () => {
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/big-declared` }, urlLimits()))).toBe('data.too_large');
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/big-chunked` }, urlLimits()))).toBe('data.too_large');
  });

  it('reports HTTP errors', async () => {
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/missing` }, urlLimits()))).toBe('data.url_status');
  });

  it('follows redirects on an allowed host, but not forever', async () => {
    const out = await readSource({ kind: 'url', url: `${base}/to-ok` }, urlLimits());
    expect(out.name).toBe('ok.csv');
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/loop` }, urlLimits()))).toBe('data.url_redirects');
  });
});

async function errorOf(p: Promise<unknown>): Promise<GenAutoMLError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GenAutoMLError) return err;
    throw err;
  }
  throw new Error('expected a GenAutoMLError');
}

describe('url sources: no server-side request forgery', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:1/x.csv'],
    ['loopback elsewhere in 127/8', 'http://127.8.9.10/x.csv'],
    ['IPv6 loopback', 'http://[::1]/x.csv'],
    ['private 10/8', 'http://10.1.2.3/x.csv'],
    ['private 172.16/12', 'http://172.31.255.255/x.csv'],
    ['private 192.168/16', 'https://192.168.0.1/x.csv'],
    ['unique local fc00::/7', 'http://[fd12:3456::1]/x.csv'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 link-local', 'http://[fe80::1]/x.csv'],
    ['unspecified', 'http://0.0.0.0/x.csv'],
    ['IPv6 unspecified', 'http://[::]/x.csv'],
    ['multicast', 'http://224.0.0.1/x.csv'],
    ['IPv6 multicast', 'http://[ff02::1]/x.csv'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/x.csv'],
    ['IPv4-mapped metadata (hex)', 'http://[::ffff:a9fe:a9fe]/x.csv'],
    ['NAT64 of a private address', 'http://[64:ff9b::a00:1]/x.csv'],
    ['decimal-encoded loopback', 'http://2130706433/x.csv'],
  ])('refuses %s', async (_what, url) => {
    expect(await codeOf(readSource({ kind: 'url', url }, limits()))).toBe('data.url_forbidden');
  });

  it('refuses the local test server by default, before connecting', async () => {
    let hits = 0;
    const counter = (): void => void hits++;
    server.on('request', counter);
    try {
      const err = await errorOf(readSource({ kind: 'url', url: `${base}/ok.csv` }, limits()));
      expect(err.code).toBe('data.url_forbidden');
      expect(err.hint).toContain('GENAUTOML_URL_ALLOW_HOSTS');
      expect(hits).toBe(0);
    } finally {
      server.off('request', counter);
    }
  });

  it('answers the same for an open and a closed port (no port scanner)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const open = await errorOf(readSource({ kind: 'url', url: `${base}/ok.csv` }, limits()));
    const shut = await errorOf(readSource({ kind: 'url', url: `http://127.0.0.1:${port}/ok.csv` }, limits()));
    expect([open.code, open.message, open.hint]).toEqual([shut.code, shut.message, shut.hint]);
  });

  it('checks names after DNS resolution: every answer must be public', async () => {
    const resolve = async (host: string): Promise<{ address: string; family: number }[]> =>
      host === 'mixed.test' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    expect(await codeOf(readSource({ kind: 'url', url: 'http://localhost.example.test/x.csv' }, limits({ resolve })))).toBe('data.url_forbidden');
    expect(await codeOf(readSource({ kind: 'url', url: 'http://mixed.test/x.csv' }, limits({ resolve })))).toBe('data.url_forbidden');
  });

  it('allows what the operator allowlist names: a range, an address or a host name', async () => {
    for (const entry of ['127.0.0.0/8', '127.0.0.1', '::ffff:127.0.0.1/128']) {
      const out = await readSource({ kind: 'url', url: `${base}/ok.csv` }, limits({ urlAllow: parseAllowlist([entry]) }));
      expect(out.name).toBe('ok.csv');
    }
    const resolve = async (): Promise<{ address: string; family: number }[]> => [{ address: '127.0.0.1', family: 4 }];
    const port = (server.address() as AddressInfo).port;
    const out = await readSource({ kind: 'url', url: `http://data.internal.test:${port}/ok.csv` }, limits({ resolve, urlAllow: parseAllowlist(['data.internal.test']) }));
    expect(new TextDecoder().decode(out.bytes)).toBe(CSV);
  });

  it('checks every redirect: an allowed host cannot bounce the download to a forbidden one', async () => {
    for (const path_ of ['/to-metadata', '/to-loopback-2', '/to-mapped']) {
      const only = limits({ urlAllow: parseAllowlist(['127.0.0.1/32']) });
      expect(await codeOf(readSource({ kind: 'url', url: `${base}${path_}` }, only))).toBe('data.url_forbidden');
    }
  });

  it('connects to the address it checked, not to a second DNS answer (rebinding)', async () => {
    let lookups = 0;
    // First answer the allowed test server, then an address nothing listens on: a client that
    // resolved again at connect time would fail or land elsewhere.
    const resolve = async (): Promise<{ address: string; family: number }[]> => [{ address: lookups++ === 0 ? '127.0.0.1' : '127.0.0.3', family: 4 }];
    const port = (server.address() as AddressInfo).port;
    const out = await readSource({ kind: 'url', url: `http://rebind.test:${port}/ok.csv` }, limits({ resolve, urlAllow: parseAllowlist(['127.0.0.1/32']) }));
    expect(out.name).toBe('ok.csv');
    expect(lookups).toBe(1);
  });

  it('stores nothing when a URL is refused', async () => {
    expect(await codeOf(prepareFromSource({ kind: 'url', url: 'http://169.254.169.254/x.csv' }, {}, limits()))).toBe('data.url_forbidden');
  });
});

describe('prepareFromSource', () => {
  it('runs the whole pipeline from a path and returns the raw bytes too', async () => {
    const out = await prepareFromSource({ kind: 'path', path: 'ok.csv' }, {}, limits());
    expect(out.summary).toMatchObject({ name: 'ok.csv', format: 'csv', rows: 20, columns: ['a', 'b'], target: 'b' });
    expect(out.source.byteLength).toBe(CSV.length);
    expect(new TextDecoder().decode(await out.source.readAll())).toBe(CSV);
  });

  it('reads a Parquet file in ranges, never whole, and prepares it as from its bytes', async () => {
    const big = limits({ maxBytes: 8 * 1024 ** 2 });
    // Larger than hyparquet's first footer read (512 KiB), so the chunks are read on their own.
    const bytes = parquetSample(120_000);
    expect(bytes.length).toBeGreaterThan(1024 ** 2);
    await writeFile(path.join(dataDir, 'ranged.parquet'), bytes);
    const reads: Array<[number, number]> = [];
    const opened = await openSource({ kind: 'path', path: 'ranged.parquet' }, big);
    const table = await parseParquet({ byteLength: opened.byteLength, read: (a, b) => (reads.push([a, b]), opened.read(a, b)) });
    // Footer first, then column chunks: no single read covers the file.
    expect(reads.length).toBeGreaterThan(2);
    expect(Math.max(...reads.map(([a, b]) => b - a))).toBeLessThan(bytes.length / 2);
    expect(table).toEqual(await parseParquet(bytes));
    const fromPath = await prepareFromSource({ kind: 'path', path: 'ranged.parquet' }, {}, big);
    const fromBytes = await prepareFromSource({ kind: 'inline', content: Buffer.from(bytes).toString('base64'), name: 'ranged.parquet' }, {}, big);
    expect(fromPath.summary).toEqual({ ...fromBytes.summary, name: 'ranged.parquet' });
    expect(fromPath.dataset).toEqual(fromBytes.dataset);
    expect(Buffer.from(await fromPath.source.readAll()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses with data.file_changed when the file is rewritten between parsing and the raw read', async () => {
    const file = path.join(dataDir, 'changing.csv');
    await writeFile(file, CSV);
    const out = await prepareFromSource({ kind: 'path', path: 'changing.csv' }, {}, limits());
    await writeFile(file, CSV + CSV.split('\n')[1] + '\n');
    expect(await codeOf(out.source.readAll())).toBe('data.file_changed');
    // Replaced by another file of the same size: a new inode, refused too.
    const again = await prepareFromSource({ kind: 'path', path: 'changing.csv' }, {}, limits());
    const size = (await readFile(file)).length;
    await writeFile(file + '.new', 'x'.repeat(size));
    await rename(file + '.new', file);
    expect(await codeOf(again.source.readAll())).toBe('data.file_changed');
  });

  it('refuses with data.file_changed when a Parquet file is truncated while its chunks are read', async () => {
    const file = path.join(dataDir, 'cut.parquet');
    const bytes = parquetSample(120_000);
    await writeFile(file, bytes);
    const opened = await openSource({ kind: 'path', path: 'cut.parquet' }, limits({ maxBytes: 8 * 1024 ** 2 }));
    let reads = 0;
    const cutting = {
      byteLength: opened.byteLength,
      read: async (a: number, b: number): Promise<Uint8Array> => {
        // After the footer has been read, the file loses its second half.
        if (++reads === 3) await truncate(file, Math.floor(bytes.length / 2));
        return opened.read(a, b);
      },
    };
    await expect(parseParquet(cutting)).rejects.toMatchObject({ code: 'data.file_changed' });
  });

  it('validates options before reading anything', async () => {
    expect(await codeOf(prepareFromSource({ kind: 'path', path: '../secret.csv' }, { split: 'nope' as never }, limits()))).toBe('data.bad_options');
  });
});

describe('inline upload end to end', () => {
  it('prepares a base64 CSV with a BOM and CRLF line ends', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV.replace(/\n/g, '\r\n'))]);
    const out = await prepareFromSource({ kind: 'inline', content: bom.toString('base64'), name: 'chat.csv' }, {}, limits());
    expect(out.summary.timeColumn).toBe('date');
    expect(out.dataset.meta.columns).toEqual(['a', 'b']);
    expect(out.dataset.meta.rows).toBe(20);
  });
});
