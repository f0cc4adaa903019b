/** Copy-out across the sandbox boundary: only regular, single-link, capped files under host-chosen names. */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Staging } from '../../../engine/runner/staging.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'genautoml-staging-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const staging = new Staging(path.join(root, 'scratch'), false);
const secret = path.join(root, 'secret.txt');
writeFileSync(secret, 'canary-root-only');
chmodSync(secret, 0o600);

async function sandboxDir(): Promise<string> {
  return staging.scratch('t-');
}

describe('Staging.copyOut', () => {
  it('copies expected regular files into the host directory and nothing else', async () => {
    const dir = await sandboxDir();
    writeFileSync(path.join(dir, 'weights.pt'), 'w');
    writeFileSync(path.join(dir, 'build.json'), '{}');
    writeFileSync(path.join(dir, 'extra.py'), 'planted');
    mkdirSync(path.join(dir, '__pycache__'));
    const dest = path.join(root, 'dest-ok');
    const files = await staging.copyOut(dir, [{ name: 'weights.pt', maxBytes: 10 }, { name: 'build.json', maxBytes: 10 }, { name: 'model.onnx', maxBytes: 10, optional: true }], dest);
    expect(files).toEqual([{ name: 'weights.pt', bytes: 1 }, { name: 'build.json', bytes: 2 }]);
    expect(readdirSync(dest).sort()).toEqual(['build.json', 'weights.pt']);
  });

  const cases: Array<[string, (p: string, dir: string) => void, RegExp]> = [
    ['a symlink to a host file', (p) => symlinkSync(secret, p), /symbolic link/],
    ['a symlink to /proc/self/environ', (p) => symlinkSync('/proc/self/environ', p), /symbolic link/],
    ['a directory', (p) => mkdirSync(p), /not a regular file/],
    ['a FIFO', (p) => execFileSync('mkfifo', [p]), /not a regular file/],
    ['a hard link', (p, dir) => {
      writeFileSync(path.join(dir, 'other'), 'x');
      linkSync(path.join(dir, 'other'), p);
    }, /hard links/],
    ['over the cap', (p) => writeFileSync(p, Buffer.alloc(11)), /over the 10-byte cap/],
    ['missing', () => undefined, /missing/],
  ];
  it.each(cases)('refuses %s with runner.bad_output and stores nothing', async (_what, make, why) => {
    const dir = await sandboxDir();
    writeFileSync(path.join(dir, 'build.json'), '{}');
    make(path.join(dir, 'weights.pt'), dir);
    const dest = path.join(root, `dest-${Math.random().toString(36).slice(2)}`);
    const err = await staging.copyOut(dir, [{ name: 'build.json', maxBytes: 10 }, { name: 'weights.pt', maxBytes: 10 }], dest).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'runner.bad_output' });
    expect((err as Error).message).toMatch(why);
    // The good file checked before the bad one is not left behind either.
    expect(readdirSync(dest)).toEqual([]);
    expect(readFileSync(secret, 'utf8')).toBe('canary-root-only');
  });

  it('checks an exact size for tensors of a known shape', async () => {
    const dir = await sandboxDir();
    writeFileSync(path.join(dir, 'val-1.f32'), Buffer.alloc(8));
    await expect(staging.read(dir, { name: 'val-1.f32', maxBytes: 100, exactBytes: 12 })).rejects.toMatchObject({ code: 'runner.bad_output' });
    expect((await staging.read(dir, { name: 'val-1.f32', maxBytes: 100, exactBytes: 8 }))!.length).toBe(8);
  });

  it('refuses a name that is not a plain file name (never from a reply)', async () => {
    const dir = await sandboxDir();
    await expect(staging.copyOut(dir, [{ name: '../x', maxBytes: 1 }], path.join(root, 'd'))).rejects.toMatchObject({ code: 'runner.failed' });
  });
});
