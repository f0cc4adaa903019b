/** The built `genautoml` binary: tool commands, exit codes, and the storage failures users meet first. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT, createTestApp, createTestHome, spawnCli, startCli, type TestHome } from '../helpers/app.js';
import { DB_MODE } from '../helpers/db.js';
import { SEED, seed } from './seed.js';

describe(`genautoml CLI (${DB_MODE})`, () => {
  let home: TestHome;

  beforeAll(async () => {
    home = createTestHome();
    await seed(home.env);
  }, 120_000);

  afterAll(async () => {
    await home?.dispose();
  });

  it('list_datasets --json prints the data as JSON on stdout and nothing else', async () => {
    const r = await spawnCli(['list_datasets', '--json'], home.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { datasets: { id: string; frequency: string }[]; total: number };
    expect(data.total).toBe(1);
    expect(data.datasets[0]).toMatchObject({ id: SEED.datasetId, frequency: '1h' });
  });

  it('list-datasets prints the summary and a table for people', async () => {
    const r = await spawnCli(['list-datasets', '--limit', '5'], home.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 dataset stored\.\n\ndatasets:\nid +name +rows +columns +frequency +created\n/);
    expect(r.stdout).toContain(SEED.datasetName);
  });

  it('info reports the storage mode', async () => {
    const r = await spawnCli(['info', '--json'], home.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ storage: DB_MODE, tools: expect.arrayContaining(['list_datasets']) });
  });

  it('exits 1 with [code] message — hint for schema-invalid arguments', async () => {
    const r = await spawnCli(['list_datasets', '--limit', '0'], home.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\[tool\.invalid_arguments\] Invalid arguments for list_datasets: limit: .* — /);
  });

  it('rejects a non-numeric value for a number flag before running', async () => {
    const r = await spawnCli(['list_datasets', '--limit', 'many'], home.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--limit.*not a number/);
  });

  it('exits 2 listing every bad variable for a configuration error', async () => {
    const r = await spawnCli(['list_datasets'], { ...home.env, GENAUTOML_LOG_LEVEL: 'loud', GENAUTOML_HTTP_PORT: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\[config\.invalid\] Invalid configuration:/);
    expect(r.stderr).toContain('GENAUTOML_LOG_LEVEL');
    expect(r.stderr).toContain('GENAUTOML_HTTP_PORT');
  });

  it('names the commands on an unknown command', async () => {
    const r = await spawnCli(['no-such-command'], home.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
  });

  it('demo runs the whole pipeline: load, EDA, generate, validate, search, benchmark, export', async () => {
    const demoHome = createTestHome();
    try {
      const r = await spawnCli(['demo', '--trials', '2', '--epochs', '1', '--rows', '600'], demoHome.env, { timeoutMs: 480_000 });
      expect(r.stderr).not.toMatch(/^\[[a-z_]+\.[a-z_]+\]/m);
      expect(r.code).toBe(0);
      for (const stage of ['1/6 load', '2/6 eda', '3/6 generate', '4/6 validate', '5/6 search', '6/6 benchmark']) expect(r.stdout).toContain(stage);
      expect(r.stdout).toMatch(/Registered \w+ \(/);
      expect(r.stdout).toMatch(/Exported \w+ \(trial \d+ of st_\w+\)/);
      const exportDir = /to (\S+): /.exec(r.stdout.split('Exported')[1] ?? '')?.[1];
      expect(exportDir && fs.existsSync(path.join(exportDir, 'model.py'))).toBe(true);
      expect(fs.readdirSync(path.join(demoHome.home, 'demo', 'eda')).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(3);
    } finally {
      await demoHome.dispose();
    }
  }, 500_000);

  it('worker starts and stops gracefully on SIGTERM', async () => {
    const worker = startCli(['worker'], home.env);
    await worker.waitForStderr(/worker running/);
    expect(await worker.stop('SIGTERM')).toBe(0);
  }, 120_000);
});

describe('the CLI where people run it: paths, pipes and Ctrl-C', () => {
  let home: TestHome;
  let work: string;
  let datasetId: string;

  beforeAll(async () => {
    home = createTestHome();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-cwd-'));
    fs.mkdirSync(path.join(work, 'data'));
    const rows = Array.from({ length: 800 }, (_, i) => `${new Date(Date.UTC(2021, 0, 1) + i * 3_600_000).toISOString()},${Math.sin(i / 24).toFixed(4)},${Math.cos(i / 12).toFixed(4)}`);
    fs.writeFileSync(path.join(work, 'data', 'hourly.csv'), ['time,load,temp', ...rows].join('\n') + '\n');
    const r = await spawnCli(['load', 'data/hourly.csv', '--json'], home.env, { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const loaded = JSON.parse(r.stdout) as { id: string; rows: number };
    expect(loaded.rows).toBe(800);
    datasetId = loaded.id;
  }, 120_000);

  afterAll(async () => {
    await home?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('resolves a relative path from the directory the command runs in', async () => {
    // Loaded from `work` in beforeAll; from its parent the same words name another file.
    const r = await spawnCli(['load', 'data/hourly.csv'], home.env, { cwd: path.dirname(work) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`[data.not_found] No file at "${path.join(path.dirname(work), 'data', 'hourly.csv')}"`);
  });

  it('loads monthly data on a calendar grid with --frequency 1mo: every date kept, listed as 1mo', async () => {
    // Month ends: 28 to 31 days apart, which a fixed grid would drift across and thin out.
    const rows = Array.from({ length: 240 }, (_, i) => `${new Date(Date.UTC(2000, i + 1, 0)).toISOString().slice(0, 10)},${(10 + 5 * Math.sin((2 * Math.PI * i) / 12)).toFixed(3)}`);
    fs.writeFileSync(path.join(work, 'monthly.csv'), ['month,sales', ...rows].join('\n') + '\n');
    const r = await spawnCli(['load', 'monthly.csv', '--frequency', '1mo', '--json'], home.env, { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const loaded = JSON.parse(r.stdout) as { id: string; rows: number; frequency: string; span: { start: string; end: string } };
    expect(loaded).toMatchObject({ rows: 240, frequency: '1 month', span: { start: '2000-01-31T00:00:00.000Z', end: '2019-12-31T00:00:00.000Z' } });
    const list = await spawnCli(['list_datasets', '--json'], home.env);
    const listed = (JSON.parse(list.stdout) as { datasets: Array<{ id: string; frequency: string | null }> }).datasets.find((d) => d.id === loaded.id);
    expect(listed?.frequency).toBe('1mo');
  });

  it('the first Ctrl-C stops waiting on a search and prints its id; the study stays queued', async () => {
    const cli = startCli(['search', datasetId, '--lookback', '48', '--horizon', '24', '--max-trials', '30'], { ...home.env, GENAUTOML_LOG_LEVEL: 'info' });
    const [, study] = await cli.waitForStderr(/study started .*"study":"(st_\w+)"/);
    await cli.waitForStderr(/trial started/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toContain('Cancelling…');
    expect(cli.stdout()).toContain(`Study ${study} is running and goes on in the background`);
    const status = await spawnCli(['status', study!, '--json'], home.env);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { studies: Array<{ id: string; state: string }> }).studies).toEqual([expect.objectContaining({ id: study, state: expect.stringMatching(/^(queued|running)$/) })]);
    await spawnCli(['cancel', study!], home.env);
  }, 180_000);

  it('a second Ctrl-C while cancelling exits at once with status 130', async () => {
    const cli = startCli(['search', datasetId, '--lookback', '48', '--horizon', '24', '--max-trials', '30'], { ...home.env, GENAUTOML_LOG_LEVEL: 'info' });
    const [, study] = await cli.waitForStderr(/study started .*"study":"(st_\w+)"/);
    await cli.waitForStderr(/trial started/);
    cli.child.kill('SIGINT');
    await cli.waitForStderr(/Cancelling…/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    await spawnCli(['cancel', study!], home.env);
  }, 180_000);

  it('a command left waiting on work that can never finish exits 1 with [internal.stalled], not Node\'s 13', async () => {
    // The real bin/genautoml.js, in front of a command whose promise nothing can settle.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-stalled-'));
    try {
      fs.mkdirSync(path.join(root, 'bin'));
      fs.mkdirSync(path.join(root, 'dist', 'server', 'cli'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'bin', 'genautoml.js'), path.join(root, 'bin', 'genautoml.js'));
      fs.writeFileSync(path.join(root, 'dist', 'server', 'cli', 'main.js'), 'export async function main() {\n  await new Promise(() => {});\n}\n');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, 'bin', 'genautoml.js'), 'list_datasets'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^\[internal\.stalled\] genautoml stopped: the command was left waiting for work that can no longer finish\. — /);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('output piped into a slow reader arrives whole before the process exits', async () => {
    // More than a pipe holds (64 KiB), written by a command body the way tool commands write
    // --json; the reader starts a second later. `raw` is the same without runCommand's drain.
    const runtime = pathToFileURL(path.join(ROOT, 'dist', 'server', 'cli', 'runtime.js')).href;
    const script = `const { runCommand } = await import(${JSON.stringify(runtime)});
const big = JSON.stringify({ rows: Array.from({ length: 20000 }, (_, i) => ({ i, v: 'x'.repeat(40) })) }) + '\\n';
if (process.argv[1] === 'raw') { process.stdout.write(big); process.exit(0); }
await runCommand(async () => { process.stdout.write(big); return 0; });`;
    const read = (mode: string): Promise<{ bytes: number; code: number | null }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.pause();
        let bytes = 0;
        setTimeout(() => {
          child.stdout.on('data', (d: Buffer) => (bytes += d.length));
          child.stdout.resume();
        }, 1000);
        child.on('error', reject);
        child.on('close', (code) => resolve({ bytes, code }));
      });
    const expected = Buffer.byteLength(JSON.stringify({ rows: Array.from({ length: 20000 }, (_, i) => ({ i, v: 'x'.repeat(40) })) }) + '\n');
    expect(expected).toBeGreaterThan(16 * 65_536);
    expect(await read('drained')).toEqual({ bytes: expected, code: 0 });
    // The control: exiting without the drain loses output, so the check above can fail.
    expect((await read('raw')).bytes).toBeLessThan(expected);
  }, 60_000);
});

describe('storage failures from the CLI', () => {
  it.runIf(DB_MODE === 'pglite')('a second process opening the same PGlite home fails with db.locked naming DATABASE_URL', async () => {
    const t = await createTestApp({ onDisk: true });
    try {
      // This test process holds the embedded database open.
      const r = await spawnCli(['list_datasets'], { GENAUTOML_HOME: t.home, GENAUTOML_DB_SCHEMA: t.schema, GENAUTOML_LOG_LEVEL: 'warn' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^\[db\.locked\] .*in use by process \d+/);
      expect(r.stderr).toContain('DATABASE_URL');
      // The holder is unharmed.
      expect(await t.app.datasets.list()).toEqual([]);
    } finally {
      await t.dispose();
    }
    // Creating an on-disk PGlite in this process and starting a second Node process is slow on a busy 2-core host.
  }, 180_000);

  it('DATABASE_URL pointing at a dead port fails with db.unreachable and a hint', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-dead-'));
    try {
      const r = await spawnCli(['list_datasets'], { GENAUTOML_HOME: home, DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/none', GENAUTOML_LOG_LEVEL: 'warn' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^\[db\.unreachable\] Cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none/);
      expect(r.stderr).toMatch(/ — .*DATABASE_URL/);
      expect(r.stderr).not.toContain('secret');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
