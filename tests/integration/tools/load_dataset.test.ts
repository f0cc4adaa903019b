/**
 * load_dataset through the tool layer: bad files and refused URLs are errors with a code and a
 * hint, and nothing is stored for them; a URL on a host the operator allowlisted loads.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitsFromConfig, prepareFromSource } from '../../../engine/data/index.js';
import { loadPrepared, saveDataset } from '../../../engine/datasets/store.js';
import { silentLogger } from '../../../engine/log.js';
import { getTool } from '../../../tools/index.js';
import { invokeTool } from '../../../tools/invoke.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

const CSV = 'date,a,b\n' + Array.from({ length: 30 }, (_, i) => `2024-01-01 ${String(i % 24).padStart(2, '0')}:00:00,${i},${i % 7}`).slice(0, 24).join('\n') + '\n';

describe('load_dataset', () => {
  let dir: string;
  let open: TestApp;
  let closed: TestApp;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'genautoml-load-'));
    await writeFile(path.join(dir, 'page.csv'), '<!doctype html><html><body>Sign in</body></html>');
    await writeFile(path.join(dir, 'odd.json'), '{"value": 1}');
    // A real ZSTD file (tests/fixtures/parquet) whose last page's frame magic is destroyed: the
    // earlier row groups decode fine, so nothing may be stored from them either.
    const zstd = new Uint8Array(await readFile(path.resolve(import.meta.dirname, '../../fixtures/parquet/zstd-4-row-groups.parquet')));
    const magic = Buffer.from(zstd).lastIndexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    zstd.fill(0xff, magic, magic + 4);
    await writeFile(path.join(dir, 'broken-zstd.parquet'), zstd);
    // Two cities, one date each day: long; with a duplicated (city, date) row it is ambiguous.
    const rows = ['date,city,temp'];
    for (let d = 1; d <= 20; d++) for (const c of ['seattle', 'austin']) rows.push(`2024-01-${String(d).padStart(2, '0')},${c},${d + (c === 'austin' ? 10 : 0)}`);
    rows.push('2024-01-05,seattle,99');
    await writeFile(path.join(dir, 'dups.csv'), rows.join('\n') + '\n');
    // A sensor with two incidents, labelled the way NAB ships labels: windows keyed by file.
    const hour = (i: number): string => new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString();
    await writeFile(path.join(dir, 'sensor.csv'), ['time,temp', ...Array.from({ length: 300 }, (_, i) => `${hour(i)},${(20 + Math.sin(i / 6) - (i >= 250 && i < 260 ? 8 : 0)).toFixed(3)}`)].join('\n') + '\n');
    await writeFile(path.join(dir, 'windows.json'), JSON.stringify({ 'realKnownCause/sensor.csv': [[hour(40), hour(44)], [hour(250), hour(259)]], 'other.csv': [] }));
    await writeFile(path.join(dir, 'bad-windows.csv'), 'start,end\n2024-01-03,2024-01-02\n');
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(CSV);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closed = await createTestApp({ env: { GENAUTOML_DATA_DIRS: dir } });
    open = await createTestApp({ env: { GENAUTOML_DATA_DIRS: dir, GENAUTOML_URL_ALLOW_HOSTS: '127.0.0.1' } });
  }, 120_000);

  afterAll(async () => {
    await closed?.dispose();
    await open?.dispose();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const call = (t: TestApp, args: Record<string, unknown>) =>
    invokeTool(getTool('load_dataset'), args, { app: t.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin: 'mcp' });

  it.each([
    ['an HTML page', { path: 'page.csv' }, 'data.html'],
    ['JSON that is no table', { path: 'odd.json' }, 'data.json_shape'],
    ['a ZSTD Parquet file with a corrupt page', { path: 'broken-zstd.parquet' }, 'data.parquet_corrupt'],
    ['a long table with duplicate (city, date) rows', { path: 'dups.csv' }, 'data.long_duplicates'],
    ['a loopback URL', { url: 'http://127.0.0.1:9/x.csv' }, 'data.url_forbidden'],
    ['label windows that end before they start', { path: 'sensor.csv', labelWindows: 'bad-windows.csv' }, 'data.bad_label_windows'],
    ['label windows outside the data directories', { path: 'sensor.csv', labelWindows: '/etc/hostname' }, 'data.path_outside'],
    ['the metadata address', { url: 'http://169.254.169.254/latest/meta-data/' }, 'data.url_forbidden'],
  ])('refuses %s and stores nothing', async (_what, args, code) => {
    const before = (await closed.app.datasets.list()).length;
    await expect(call(closed, args)).rejects.toMatchObject({ code });
    expect((await closed.app.datasets.list()).length).toBe(before);
  });

  it('stores the raw file as it was parsed: a Parquet file read in ranges is stored byte for byte', async () => {
    const bytes = await readFile(path.resolve(import.meta.dirname, '../../fixtures/parquet/zstd-4-row-groups.parquet'));
    await writeFile(path.join(dir, 'good-zstd.parquet'), bytes);
    const r = await call(closed, { path: 'good-zstd.parquet' });
    const link = await closed.app.artifacts.findLink('dataset', String(r.data.id), 'raw');
    expect(link?.mime).toBe('application/vnd.apache.parquet');
    expect(Buffer.from(await closed.app.artifacts.get(link?.sha256 ?? '')).equals(bytes)).toBe(true);
  });

  it('refuses with data.file_changed, storing nothing, when the file is rewritten between parsing and saving', async () => {
    const file = path.join(dir, 'rewritten.csv');
    await writeFile(file, CSV);
    const limits = limitsFromConfig(closed.app.config);
    const result = await prepareFromSource({ kind: 'path', path: 'rewritten.csv' }, {}, limits);
    await writeFile(file, CSV.replace(',0,', ',1000,'));
    const before = (await closed.app.datasets.list()).length;
    await expect(saveDataset(closed.app, result, { kind: 'path', path: 'rewritten.csv' })).rejects.toMatchObject({ code: 'data.file_changed' });
    expect((await closed.app.datasets.list()).length).toBe(before);
  });

  it('loads from a loopback URL once the operator allowlists it (GENAUTOML_URL_ALLOW_HOSTS)', async () => {
    await expect(call(closed, { url: `${base}/data.csv` })).rejects.toMatchObject({ code: 'data.url_forbidden' });
    const r = await call(open, { url: `${base}/data.csv` });
    expect(r.data).toMatchObject({ rows: 24, columns: ['a', 'b'] });
  });

  it('labels anomalies from a windows file and says per split how many rows and events are labelled; EDA says it too', async () => {
    const r = await call(closed, { path: 'sensor.csv', labelWindows: 'windows.json' });
    // 300 rows, 0.7/0.1/0.2: train [0, 210), val [210, 240), test [240, 300).
    expect(r.data.labels).toEqual({
      source: 'windows',
      windows: { count: 2, outside: 0, key: 'realKnownCause/sensor.csv' },
      train: { rows: 5, events: 1 },
      val: { rows: 0, events: 0 },
      test: { rows: 10, events: 1 },
    });
    expect(r.summary).toContain('Anomaly labels from 2 windows (realKnownCause/sensor.csv): train 5 rows in 1 event, validation 0 rows in 0 events, test 10 rows in 1 event.');
    const eda = await invokeTool(getTool('run_eda'), { dataset: r.data.id, plots: 'none' }, { app: closed.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin: 'mcp' });
    expect(eda.data.labels).toEqual({ train: { rows: 5, events: 1 }, val: { rows: 0, events: 0 }, test: { rows: 10, events: 1 } });
    expect(eda.summary).toContain('Anomaly labels: train 5 rows in 1 event, validation 0 rows in 0 events, test 10 rows in 1 event.');
    const plain = await call(closed, { path: 'sensor.csv' });
    expect(plain.data.labels).toBeNull();
  });

  it('labels a stored dataset later as a new dataset sharing its data; the original is unchanged; bad windows store nothing', async () => {
    const label = (args: Record<string, unknown>) =>
      invokeTool(getTool('label_dataset'), args, { app: closed.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin: 'mcp' });
    const plain = await call(closed, { path: 'sensor.csv', name: 'sensor-plain' });
    const atLoad = await call(closed, { path: 'sensor.csv', labelWindows: 'windows.json' });
    const before = (await closed.app.datasets.list()).length;
    for (const [args, code] of [
      [{ dataset: plain.data.id, labelWindows: 'bad-windows.csv' }, 'data.bad_label_windows'],
      [{ dataset: plain.data.id, labelWindows: '/etc/hostname' }, 'data.path_outside'],
      [{ dataset: 'ds_nonexistent', labelWindows: 'windows.json' }, 'dataset.not_found'],
    ] as const) {
      await expect(label(args)).rejects.toMatchObject({ code });
    }
    expect((await closed.app.datasets.list()).length).toBe(before);

    const r = await label({ dataset: plain.data.id, labelWindows: 'windows.json' });
    expect(r.data).toMatchObject({ from: plain.data.id, name: 'sensor-plain (labelled)', warnings: [] });
    // The same file, labelled after the fact, gives what labelling at load gave.
    expect(r.data.labels).toEqual(atLoad.data.labels);
    expect(r.summary).toContain(`${plain.data.id} is unchanged`);
    const { dataset: original } = await loadPrepared(closed.app, plain.data.id as string);
    const { dataset: labelled } = await loadPrepared(closed.app, r.data.id as string);
    const { dataset: loadedLabelled } = await loadPrepared(closed.app, atLoad.data.id as string);
    expect(original.labels).toBeUndefined();
    expect(original.meta.hasLabels).toBe(false);
    expect(labelled.labels).toEqual(loadedLabelled.labels);
    expect(labelled.values).toEqual(original.values);
    expect(labelled.meta).toEqual({ ...original.meta, hasLabels: true });
    const eda = await invokeTool(getTool('run_eda'), { dataset: r.data.id, plots: 'none' }, { app: closed.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin: 'mcp' });
    expect(eda.data.labels).toEqual({ train: { rows: 5, events: 1 }, val: { rows: 0, events: 0 }, test: { rows: 10, events: 1 } });
  });

  it('pivots the long table when told how to merge the duplicates', async () => {
    const r = await call(closed, { path: 'dups.csv', aggregate: 'last' });
    expect(r.data.columns).toEqual(['city=seattle:temp', 'city=austin:temp']);
    expect(r.summary).toMatch(/long/);
  });
});
