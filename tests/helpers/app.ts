/**
 * The whole app for tests, and helpers to run the built `genautoml` binary. Each test app gets its
 * own home directory and a fresh schema: on the PostgreSQL server when DATABASE_URL is set,
 * otherwise in an embedded PGlite under the home directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../../engine/app.js';
import { type Config, loadConfig } from '../../engine/config.js';
import { createLogger } from '../../engine/log.js';
import { createApp } from '../../server/app.js';
import { dropSchemas, freshSchemaName, TEST_DATABASE_URL } from './db.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'genautoml.js');

export interface TestHome {
  home: string;
  schema: string;
  /** Environment for a spawned genautoml using this home and schema. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A temporary home directory and schema; nothing is opened yet. */
export function createTestHome(overrides: Record<string, string | undefined> = {}): TestHome {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-test-'));
  const schema = freshSchemaName();
  const env: Record<string, string> = {
    GENAUTOML_HOME: home,
    GENAUTOML_DB_SCHEMA: schema,
    GENAUTOML_LOG_LEVEL: 'warn',
    ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL } : {}),
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return {
    home,
    schema,
    env,
    async dispose() {
      await dropSchemas(schema).catch(() => {});
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: App;
  config: Config;
  home: string;
  schema: string;
  dispose(): Promise<void>;
}

export async function createTestApp(options: { env?: Record<string, string | undefined>; startQueue?: boolean; onDisk?: boolean } = {}): Promise<TestApp> {
  const t = createTestHome({ GENAUTOML_LOG_LEVEL: 'silent', ...options.env });
  const config = loadConfig(t.env);
  let app: App;
  try {
    // In-memory PGlite unless a test needs the files (another process opening the same home).
    app = await createApp(config, createLogger({ level: config.logLevel }), { startQueue: options.startQueue ?? false, inMemoryDatabase: options.onDisk !== true });
  } catch (err) {
    await t.dispose();
    throw err;
  }
  return {
    app,
    config,
    home: t.home,
    schema: t.schema,
    async dispose() {
      await app.close().catch(() => {});
      await t.dispose();
    },
  };
}

/** The parent's environment without anything that configures genautoml, plus `env`. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'DATABASE_URL' || k.startsWith('GENAUTOML_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS') continue;
    base[k] = v;
  }
  return { ...base, ...env };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `genautoml args…` to completion. */
export function spawnCli(args: string[], env: Record<string, string>, options: { timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`genautoml ${args.join(' ')} timed out\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first regex match on stderr; rejects if the process exits first. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts a long-running `genautoml args…` (serve, worker). */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners) l();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = stderr.match(pattern);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`genautoml exited (${code}) before ${pattern}; stderr:\n${stderr}`));
        });
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
