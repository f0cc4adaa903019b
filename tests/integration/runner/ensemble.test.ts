/**
 * A weighted ensemble of trained trials as one module, through the real runner: members of
 * different lookbacks and one that asks for a cycle index, its latency, and its export as one
 * TorchScript/ONNX module that reloads outside the runner with the weighted sum of its members.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelDims } from '../../../engine/runner/types.js';
import { makeClient, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
const zoo = (name: string): string => readFileSync(path.resolve(import.meta.dirname, '../../../engine/models/zoo', name), 'utf8');
const data = syntheticData({ rows: 500, channels: 2 });
const dimsAt = (lookback: number): ModelDims => ({ task: 'forecasting', lookback, horizon: 6, nFeatures: 2, period: 12 });

interface Trained {
  code: string;
  dims: ModelDims;
  weightsPath: string;
}
const members: Trained[] = [];

beforeAll(async () => {
  for (const [file, L] of [
    ['dlinear.py', 31],
    ['cyclenet.py', 24],
  ] as const) {
    const t = await client.train({ code: zoo(file), dims: dimsAt(L), data, workDir: tmp('ens-train'), train: { epochs: 1 } });
    members.push({ code: zoo(file), dims: dimsAt(L), weightsPath: t.weightsPath });
  }
}, 240_000);

afterAll(async () => {
  await client.close();
  removeTmp();
});

describe('ensemble as one module', () => {
  it('measures its latency in a sandbox, with the members’ parameters summed', async () => {
    const lat = await client.ensembleLatency({ members, weights: [0.25, 0.75], repeats: 3 });
    expect(lat.sandboxed).toBe(true);
    expect(lat.batch1MsPerSample).toBeGreaterThan(0);
    expect(lat.batchedMsPerSample).toBeGreaterThan(0);
    const single = await Promise.all(members.map((m) => client.latency({ ...m, repeats: 3 })));
    expect(lat.params).toBe(single[0]!.params + single[1]!.params);
  }, 240_000);

  it('exports TorchScript and ONNX of the weighted sum; both reload outside the runner and agree with the members', async () => {
    const out = path.join(tmp('ens-export'), 'ensemble');
    const r = await client.exportEnsemble({
      members,
      weights: [0.25, 0.75],
      outDir: out,
      data: { name: 'synthetic', meta: data.meta },
      describe: [
        { arch: 'dlinear', trial: 3 },
        { arch: 'cyclenet', trial: 5 },
      ],
    });
    expect(r.errors).toEqual([]);
    expect(r.roundTrip).toMatchObject({ ok: true, torchscriptMode: 'trace', stateDictMaxAbsDiff: null });
    expect(r.roundTrip.torchscriptMaxAbsDiff!).toBeLessThan(1e-5);
    expect(readdirSync(out).sort()).toEqual(['USAGE.md', 'metadata.json', 'model.onnx', 'model.torchscript.pt']);
    const meta = JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({
      format: 'genautoml-ensemble/1',
      lookback: 31,
      horizon: 6,
      members: [
        { arch: 'dlinear', trial: 3, weight: 0.25, lookback: 31 },
        { arch: 'cyclenet', trial: 5, weight: 0.75, lookback: 24 },
      ],
      inputs: [{ name: 'cycle_index', period: 12 }],
    });
    expect(readFileSync(path.join(out, 'USAGE.md'), 'utf8')).toMatch(/cycle_index/);

    // Outside the runner: the TorchScript module on a (B, 31, 2) window equals 0.25 x dlinear on
    // all of it + 0.75 x cyclenet on its last 24 rows, whose first row is 7 rows further into
    // the cycle, each member rebuilt from its own export.
    const dirs: string[] = [];
    for (const [i, m] of members.entries()) {
      const dir = path.join(tmp('ens-member'), `m${i}`);
      await client.export({ ...m, outDir: dir, data: { meta: data.meta } });
      dirs.push(dir);
    }
    const script = [
      'import sys, torch',
      'def load(d):',
      '    sys.path.insert(0, d)',
      '    import genautoml_wrapper, importlib; importlib.reload(genautoml_wrapper)',
      '    m = genautoml_wrapper.load_model(d); sys.path.pop(0); return m',
      `a = load(${JSON.stringify(dirs[0])}); b = load(${JSON.stringify(dirs[1])})`,
      `ts = torch.jit.load(${JSON.stringify(path.join(out, 'model.torchscript.pt'))})`,
      'x = torch.randn(4, 31, 2); ci = torch.tensor([0, 5, 11, 7])',
      'want = 0.25 * a(x) + 0.75 * b(x[:, 7:, :], (ci + 7) % 12)',
      'print(float((ts(x, ci) - want).abs().max()))',
    ].join('\n');
    const diff = Number(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim());
    expect(diff).toBeLessThan(1e-5);
  }, 300_000);

  it('refuses a weight per member missing or a negative weight before any sandbox starts', async () => {
    await expect(client.ensembleLatency({ members, weights: [1] })).rejects.toMatchObject({ code: 'runner.bad_request' });
    await expect(client.ensembleLatency({ members, weights: [1.5, -0.5] })).rejects.toMatchObject({ code: 'runner.bad_request' });
    await expect(client.ensembleLatency({ members: members.slice(0, 1), weights: [1] })).rejects.toMatchObject({ code: 'runner.bad_request' });
  });
});
