/**
 * A trainer whose policy was bypassed replaces its outputs with links, FIFOs, directories or hard
 * links and forges a successful result: the host refuses every such output (runner.bad_output),
 * stores nothing, and no host data (a root-only canary file, the server's environment with a
 * canary API key) reaches the work directory.
 */
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeClient, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
const CANARY_KEY = 'canary-groq-key-7f3a';
const before = process.env['GROQ_API_KEY'];
process.env['GROQ_API_KEY'] = CANARY_KEY;
afterAll(async () => {
  await client.close();
  removeTmp();
  if (before === undefined) delete process.env['GROQ_API_KEY'];
  else process.env['GROQ_API_KEY'] = before;
});
const data = syntheticData({ rows: 300, channels: 2 });
const dims = { task: 'forecasting' as const, lookback: 12, horizon: 4, nFeatures: 2 };
const secretDir = tmp('secret');
const secret = path.join(secretDir, 'root-only.txt');
writeFileSync(secret, 'canary-root-only-file');
chmodSync(secret, 0o600);

describe('copy-out of a hostile trainer', () => {
  it.each(['symlink', 'fifo', 'dir', 'hardlink'])('%s outputs are refused and nothing is stored', async (mode) => {
    const code = readFileSync(path.join(FIXTURES, 'hostile/host/bad_output.py'), 'utf8').replace('MODE_PLACEHOLDER', mode).replace('TARGET_PLACEHOLDER', secret);
    const work = tmp(`co-${mode}`);
    const err = await client.train({ code, dims, data, workDir: work, train: { epochs: 2, batchSize: 16 } }, { policy: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'runner.bad_output' });
    expect(readdirSync(work)).toEqual([]);
    expect(existsSync(path.join(work, 'weights.pt'))).toBe(false);
    expect(readFileSync(secret, 'utf8')).toBe('canary-root-only-file');
    expect(JSON.stringify(err)).not.toContain(CANARY_KEY);
    expect(JSON.stringify(err)).not.toContain('canary-root-only-file');
  }, 120_000);
});

describe('environment', () => {
  it('reports the seccomp filter as loaded (server_info, doctor)', async () => {
    const env = await client.probeEnvironment();
    expect(env.sandbox).toBe('bwrap');
    expect(env.seccomp).toBe('on');
  }, 120_000);
});

describe('forged scores', () => {
  it('epoch lines a model forges on the protocol channel change no score (host-scored validation)', async () => {
    const src = readFileSync(path.join(FIXTURES, 'hostile/host/forge_scores.py'), 'utf8');
    const events: number[] = [];
    const train = { epochs: 3, batchSize: 16, seed: 4 };
    const honest = await client.train({ code: src.replace('FORGE_FLAG', 'False'), dims, data, workDir: tmp('honest'), train }, { policy: false });
    const forged = await client.train(
      { code: src.replace('FORGE_FLAG', 'True'), dims, data, workDir: tmp('forged'), train },
      { policy: false, onEvent: (e) => e.event === 'epoch' && events.push(e.val_loss ?? NaN) },
    );
    expect(forged.bestValLoss).toBe(honest.bestValLoss);
    expect(forged.history.map((h) => h.val_loss)).toEqual(honest.history.map((h) => h.val_loss));
    expect(events).toEqual(honest.history.map((h) => h.val_loss));
    expect(Math.min(...events)).toBeGreaterThan(1e-6);
  }, 180_000);
});
