/** Real `genautoml worker` processes for the benches that need several (recovery, worker scaling on PostgreSQL). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { packageRoot } from '../engine/paths.js';

const BIN = path.join(packageRoot(), 'bin', 'genautoml.js');

export interface Worker {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<void>;
  /** Resolves at the first stderr line matching `re`; rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
}

/** Starts `genautoml worker` with only `env` of the GENAUTOML_* settings (none leak from the bench's own environment). */
export function startWorker(env: Record<string, string>): Worker {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GENAUTOML_') && k !== 'DATABASE_URL')) as Record<string, string>;
  const child = spawn(process.execPath, [BIN, 'worker'], { env: { ...clean, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters) w();
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    child,
    stderr: () => err,
    exited,
    waitFor: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${re} within ${timeoutMs} ms; stderr tail: ${err.slice(-1500)}`));
        }, timeoutMs);
        const check = (): void => {
          if (!re.test(err)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

export async function killWorker(w: Worker): Promise<void> {
  w.child.kill('SIGKILL');
  await w.exited;
}

/** SIGTERM (running trials are handed back), SIGKILL after 30 s. */
export async function stopWorker(w: Worker): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  const t = setTimeout(() => w.child.kill('SIGKILL'), 30_000);
  await w.exited;
  clearTimeout(t);
}

/** Polls `read` every 250 ms until `done`; throws after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Drops a bench's schema and its queue schema (pg-boss) on `url`. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_queue CASCADE;`).finally(() => client.end());
}
