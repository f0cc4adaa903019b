import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { prepareFromSource, readSource } from '../../../engine/data/index.js';
import type { SourceLimits } from '../../../engine/data/index.js';
import { csvOf, hours } from './helpers.js';

let root: string;
let dataDir: string;
let server: http.Server;
let base: string;
const sockets = new Set<Socket>();
const CSV = csvOf(['date', 'a', 'b'], hours(20).map((t, i) => [t, i, i % 3]));

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
    const out = await readSource({ kind: 'url', url: `${base}/ok.csv` }, limits());
    expect(out).toMatchObject({ name: 'ok.csv', formatHint: 'csv' });
    expect(new TextDecoder().decode(out.bytes)).toBe(CSV);
  });

  it('times out on a server that never answers', async () => {
    const t0 = Date.now();
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/hang` }, limits({ urlTimeoutMs: 300 })))).toBe('data.url_timeout');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('times out on a server that stops sending mid-body', async () => {
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/trickle` }, limits({ urlTimeoutMs: 300 })))).toBe('data.url_timeout');
  });

  it('refuses a download over the cap, declared or streamed', async () => {
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/big-declared` }, limits()))).toBe('data.too_large');
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/big-chunked` }, limits()))).toBe('data.too_large');
  });

  it('reports HTTP errors', async () => {
    expect(await codeOf(readSource({ kind: 'url', url: `${base}/missing` }, limits()))).toBe('data.url_status');
  });
});

describe('prepareFromSource', () => {
  it('runs the whole pipeline from a path and returns the raw bytes too', async () => {
    const out = await prepareFromSource({ kind: 'path', path: 'ok.csv' }, {}, limits());
    expect(out.summary).toMatchObject({ name: 'ok.csv', format: 'csv', rows: 20, columns: ['a', 'b'], target: 'b' });
    expect(out.source.bytes.byteLength).toBe(CSV.length);
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
