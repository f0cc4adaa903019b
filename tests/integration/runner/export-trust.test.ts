/**
 * Exports are safe to load: weights leave a trainer only as raw tensors the host checks (a pickle
 * is refused), the shipped weights.pt is written by trusted code and holds plain tensors only
 * (loads with weights_only=True, no foreign pickle globals), and the wrapper, model.py,
 * metadata.json and USAGE.md are the host's, whatever the model writes while it is traced.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeClient, model, syntheticData, tmp, removeTmp } from './helpers.js';

const client = makeClient({ validatePoolSize: 0 });
afterAll(async () => {
  await client.close();
  removeTmp();
});
const data = syntheticData({ rows: 300, channels: 2 });
const dims = { task: 'forecasting' as const, lookback: 12, horizon: 4, nFeatures: 2 };
const pwned = path.join(tmp('pwned'), 'pwned');
const hostile = (f: string): string => readFileSync(path.join(FIXTURES, 'hostile/host', f), 'utf8').replaceAll('PWNED_PATH', pwned);
const FILES = ['USAGE.md', 'genautoml_wrapper.py', 'metadata.json', 'model.onnx', 'model.py', 'model.torchscript.pt', 'weights.pt'];

/** What a user does with weights.pt, plus a scan of its pickle for anything but tensor rebuilds. */
function inspectWeights(file: string): { tensors: number; globals: string[] } {
  const script = `
import json, pickletools, sys, zipfile, torch
state = torch.load(sys.argv[1], map_location="cpu", weights_only=True)
assert all(isinstance(v, torch.Tensor) for v in state.values())
z = zipfile.ZipFile(sys.argv[1])
pk = [n for n in z.namelist() if n.endswith("data.pkl")][0]
globs = set()
prev = []
for op, arg, _ in pickletools.genops(z.read(pk)):
    if op.name == "GLOBAL":
        globs.add(arg.replace(" ", "."))
    elif op.name == "STACK_GLOBAL":
        globs.add(".".join(prev[-2:]))
    if isinstance(arg, str):
        prev.append(arg)
print(json.dumps({"tensors": len(state), "globals": sorted(globs)}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' })) as { tensors: number; globals: string[] };
}

describe('trust: weights and exports', () => {
  it('refuses a trainer that leaves a pickle where the weights go, and stores nothing', async () => {
    const work = tmp('pk');
    const err = await client.train({ code: hostile('pickle_weights.py'), dims, data, workDir: work, train: { epochs: 2, batchSize: 16 } }, { policy: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'runner.bad_output' });
    expect((err as Error).message).toMatch(/bad magic/);
    expect(readdirSync(work)).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
  }, 120_000);

  it('ships only host-written files around the traced artefacts, whatever the model writes while traced', async () => {
    const clean = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('clean'), train: { epochs: 1 } });
    const cleanOut = path.join(tmp('clean-exp'), 'm');
    await client.export({ code: model('linear.py'), dims, weightsPath: clean.weightsPath, outDir: cleanOut, data: { name: 'synthetic', meta: data.meta } });

    const code = hostile('export_poison.py');
    const t = await client.train({ code, dims, data, workDir: tmp('poison'), train: { epochs: 1 } }, { policy: false });
    const parent = tmp('poison-exp');
    const out = path.join(parent, 'm');
    const r = await client.export({ code, dims, weightsPath: t.weightsPath, outDir: out, data: { name: 'synthetic', meta: data.meta } }, { policy: false });
    expect(r.roundTrip.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(FILES);
    expect(r.files.map((f) => f.name)).toEqual(FILES);
    expect(readdirSync(parent)).toEqual(['m']);
    // The wrapper is the runner's own, byte for byte the same as for a harmless model.
    expect(readFileSync(path.join(out, 'genautoml_wrapper.py'), 'utf8')).toBe(readFileSync(path.join(cleanOut, 'genautoml_wrapper.py'), 'utf8'));
    expect(readFileSync(path.join(out, 'genautoml_wrapper.py'), 'utf8')).toMatch(/weights_only=True/);
    expect(readFileSync(path.join(out, 'model.py'), 'utf8')).toBe(code);
    const usage = readFileSync(path.join(out, 'USAGE.md'), 'utf8');
    expect(usage).toMatch(/model\.py` is untrusted code/);
    expect(usage).toMatch(/bwrap/);
    expect(usage).not.toMatch(/no weights_only/);
    expect(JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'))).toMatchObject({ format: 'genautoml-model/1', lookback: 12, horizon: 4 });
    const w = inspectWeights(path.join(out, 'weights.pt'));
    expect(w.tensors).toBeGreaterThan(0);
    for (const g of w.globals) expect(g, `unexpected pickle global ${g}`).toMatch(/^(torch\._utils\._rebuild_tensor_v2|torch\.\w+Storage|collections\.OrderedDict)$/);
    expect(existsSync(pwned)).toBe(false);
  }, 300_000);

  it('ships an ensemble with a hostile member as the host wrote it: only the traced files come from the sandbox', async () => {
    const honest = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('ens-honest'), train: { epochs: 1 } });
    const code = hostile('ensemble_poison.py');
    const bad = await client.train({ code, dims, data, workDir: tmp('ens-poison'), train: { epochs: 1 } }, { policy: false });
    const parent = tmp('ens-poison-exp');
    const out = path.join(parent, 'ensemble');
    const r = await client.exportEnsemble(
      {
        members: [
          { code: model('linear.py'), dims, weightsPath: honest.weightsPath },
          { code, dims, weightsPath: bad.weightsPath },
        ],
        weights: [0.6, 0.4],
        outDir: out,
        data: { name: 'synthetic', meta: data.meta },
        describe: [
          { arch: 'linear', trial: 1 },
          { arch: 'ensemble_poison', trial: 2 },
        ],
      },
      { policy: false },
    );
    // No wrapper, no weights.pt, nothing beside the directory: the member's files stayed in its scratch.
    expect(readdirSync(out).sort()).toEqual(['USAGE.md', 'metadata.json', 'model.onnx', 'model.torchscript.pt']);
    expect(r.files.map((f) => f.name)).toEqual(['USAGE.md', 'metadata.json', 'model.onnx', 'model.torchscript.pt']);
    expect(readdirSync(parent)).toEqual(['ensemble']);
    // The members and weights are the host's, not the forged ones.
    expect(JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'))).toMatchObject({
      format: 'genautoml-ensemble/1',
      members: [
        { arch: 'linear', trial: 1, weight: 0.6 },
        { arch: 'ensemble_poison', trial: 2, weight: 0.4 },
      ],
    });
    expect(readFileSync(path.join(out, 'USAGE.md'), 'utf8')).not.toMatch(/no weights_only/);
    expect(existsSync(pwned)).toBe(false);
  }, 300_000);

  it('loads an export as a user would: weights_only=True, same predictions as TorchScript', async () => {
    const t = await client.train({ code: model('linear.py'), dims, data, workDir: tmp('user'), train: { epochs: 1 } });
    const out = path.join(tmp('user-exp'), 'm');
    await client.export({ code: model('linear.py'), dims, weightsPath: t.weightsPath, outDir: out, data: { meta: data.meta } });
    const script = [
      'import sys, torch',
      `sys.path.insert(0, ${JSON.stringify(out)})`,
      'from genautoml_wrapper import load_model',
      `m = load_model(${JSON.stringify(out)})`,
      `ts = torch.jit.load(${JSON.stringify(path.join(out, 'model.torchscript.pt'))})`,
      'x = torch.randn(5, 12, 2)',
      'print(float((m(x) - ts(x)).abs().max()))',
    ].join('\n');
    expect(Number(execFileSync('/usr/bin/python3', ['-B', '-c', script], { encoding: 'utf8' }).trim())).toBeLessThan(1e-5);
    expect(existsSync(path.join(out, '__pycache__'))).toBe(false);
  }, 240_000);
});
