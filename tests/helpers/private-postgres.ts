/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a free port), so a test
 * can stop and restart it without disturbing the shared server every other test uses. Needs the
 * PostgreSQL server binaries; as root, the server runs as the `postgres` user (it refuses root).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './http.js';

export interface PrivatePostgres {
  url: string;
  /** `fast` terminates every session; `immediate` aborts the server as a crash or kill would (recovery from WAL on start). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  dispose(): void;
}

function binDir(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // pg_config is a client package; the server binaries may still be installed.
  }
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) for (const v of fs.readdirSync(root).sort().reverse()) candidates.push(path.join(root, v, 'bin'));
  return candidates.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')));
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
  } catch {
    return undefined;
  }
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Whether this machine can run a private server (binaries, and a non-root user to run it as). */
export function privatePostgresAvailable(): boolean {
  return binDir() !== undefined && (!isRoot() || postgresUser() !== undefined);
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-pg-'));
  const data = path.join(dir, 'data');
  const owner = isRoot() ? postgresUser() : undefined;
  if (isRoot() && !owner) throw new Error('running as root and there is no postgres user to run the server as');
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const run = (tool: string, args: string[]): void => {
    const cmd = path.join(bin, tool);
    if (owner) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', cwd: dir });
    else execFileSync(cmd, args, { stdio: 'pipe', cwd: dir });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=50`;
  const start = (): void => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    start,
    dispose: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
