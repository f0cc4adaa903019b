/**
 * The search end to end on the real queue, runner and PyTorch: a small study over two baselines
 * and a model that always produces NaN, with a webhook subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { cancelStudy, startStudy, studyStatus } from '../../../engine/search/service.js';
import { doneResultOf } from '../../../engine/search/result.js';
import { studySpecSchema } from '../../../engine/search/spec.js';
import { defaultLookbacks } from '../../../engine/windows.js';
import { exportTrial } from '../../../engine/search/export.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { insertUserModel, loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { until } from '../../helpers/wait.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';

const NAN_MODEL = `
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.pred_len = pred_len
        self.proj = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        y = self.proj(x.transpose(1, 2)).transpose(1, 2)
        return y * float('nan')
`;

/** A linear map with a fixed offset it cannot learn away (no bias, no RevIN). */
const OFFSET_MODEL = `
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.proj = nn.Linear(seq_len, pred_len, bias=False)

    def forward(self, x):
        return self.proj(x.transpose(1, 2)).transpose(1, 2) + OFFSET
`;

describe(`search on ${DB_MODE}`, () => {
  let t: TestApp;
  let hook: TestServer;
  let dataset: string;
  const abort = new AbortController();

  beforeAll(async () => {
    hook = await startTestServer((_req, res) => res.end('ok'));
    t = await createTestApp({ startQueue: true, env: { GENAUTOML_WORKER_CONCURRENCY: '2' } });
    dataset = await loadSynthetic(t.app, { rows: 500, features: 2 });
    await insertUserModel(t.app, 'always_nan', NAN_MODEL);
    await registerSearchWorkers(t.app, { concurrency: 2, pollingIntervalSeconds: 0.5, signal: abort.signal });
  }, 120_000);

  /** The study's status once it has ended, however it ended. */
  const untilEnded = (id: string): ReturnType<typeof studyStatus> => until(() => studyStatus(t.app, id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to end');

  /** Runs a study to its end and checks that it finished. */
  const runToDone = async (request: Parameters<typeof startStudy>[1]): Promise<{ study: { id: string }; status: Awaited<ReturnType<typeof studyStatus>> }> => {
    const study = await startStudy(t.app, request, { origin: 'test' });
    const status = await untilEnded(study.id);
    expect(status.state).toBe('done');
    return { study, status };
  };

  afterAll(async () => {
    abort.abort();
    await t?.dispose();
    await hook?.close();
  });

  it('runs a study to the end, records every trial, survives a failing model and notifies', async () => {
    const study = await startStudy(
      t.app,
      { dataset, lookback: 24, horizon: 8, candidates: ['dlinear', 'nlinear', 'always_nan'], maxTrials: 6, epochs: 3, patience: 2, parallelism: 2, sampler: 'random', pruner: 'none', seed: 3, topK: 2 },
      { origin: 'test', subscribe: [{ kind: 'webhook', target: { url: `${hook.url}/hook`, format: 'slack' } }] },
    );
    const status = await untilEnded(study.id);
    expect(status.state).toBe('done');
    const trials = await t.app.studies.trials(study.id);
    expect(trials).toHaveLength(6);
    for (const tr of trials) expect(['complete', 'pruned', 'failed']).toContain(tr.state);
    // Every always_nan trial failed with its reason; no other trial did.
    for (const tr of trials) {
      if (tr.params.arch === 'always_nan') {
        expect(tr.state).toBe('failed');
        expect(JSON.stringify(tr.error)).toMatch(/finite|NaN|nan/i);
      } else {
        expect(tr.state).toBe('complete');
        expect(tr.intermediate.length).toBeGreaterThan(0);
      }
    }
    const result = doneResultOf(await t.app.studies.get(study.id));
    expect(['dlinear', 'nlinear', 'ensemble']).toContain(result.best.arch);
    // The winner is the lowest validation loss, whatever the test scores say.
    const vals = result.leaderboard.filter((r) => !r.ensemble).map((r) => r.valLoss);
    expect(vals).toEqual([...vals].sort((a, b) => a - b));
    expect(result.best.test?.task === 'forecasting' && result.best.test.mse).toBeGreaterThan(0);
    expect(result.export?.files.map((f) => f.name)).toEqual(expect.arrayContaining(result.best.ensemble ? ['model.torchscript.pt', 'metadata.json'] : ['model.py', 'metadata.json']));

    const req = await until(async () => hook.requests.find((r) => r.url === '/hook'), (r) => r !== undefined, 60_000);
    const body = JSON.parse(req!.body.toString());
    expect(body.text).toContain(study.id);
    expect(JSON.stringify(body.blocks)).toContain(result.best.arch);
  }, 360_000);

  it('covers every candidate once in a study with as many trials as candidates, cheap first, and keeps the failed one on the board with why', async () => {
    const { study, status } = await runToDone({ dataset, lookback: 24, horizon: 8, candidates: ['patchtst', 'always_nan', 'dlinear'], maxTrials: 3, epochs: 1, patience: 1, parallelism: 1, sampler: 'random', pruner: 'none', seed: 11, topK: 1 });
    const trials = await t.app.studies.trials(study.id);
    // Cheap first: the linear models before the transformer, whatever the random sampler would say.
    expect(trials.map((tr) => tr.params.arch)).toEqual(['always_nan', 'dlinear', 'patchtst']);
    // Coverage trials carry no architecture parameter: each model's own defaults.
    for (const tr of trials) expect(Object.keys(tr.params).filter((k) => k.includes('.'))).toEqual([]);
    const result = status.result as { leaderboard: { arch: string }[]; unranked: { arch: string; status: string; error: string | null }[] };
    expect(result.leaderboard.map((r) => r.arch).sort()).toEqual(['dlinear', 'patchtst']);
    // Only the top K (1) is evaluated on test, but every row has its parameters and latency.
    const board = doneResultOf(await t.app.studies.get(study.id)).leaderboard;
    expect(board.filter((r) => r.test !== null)).toHaveLength(1);
    for (const r of board) {
      expect(r.modelParams).toBeGreaterThan(0);
      expect(r.latency?.batchedMsPerSample).toBeGreaterThan(0);
    }
    expect(result.unranked).toEqual([expect.objectContaining({ arch: 'always_nan', status: 'failed', error: expect.stringMatching(/finite/i) })]);
  }, 360_000);

  it('weighs the top models into an ensemble on validation only, scores it once on test and selects and exports it when it wins held out', async () => {
    // Two models that cannot learn away a constant offset of opposite sign: their mean cancels it.
    await insertUserModel(t.app, 'offset_up', OFFSET_MODEL.replace('OFFSET', '2.0'));
    await insertUserModel(t.app, 'offset_down', OFFSET_MODEL.replace('OFFSET', '-2.0'));
    const { study } = await runToDone({ dataset, lookback: 24, horizon: 8, candidates: ['offset_up', 'offset_down', 'dlinear'], maxTrials: 3, epochs: 2, patience: 2, parallelism: 2, pruner: 'none', revin: 'off', seed: 5, topK: 3 });
    const result = doneResultOf(await t.app.studies.get(study.id));
    const row = result.leaderboard.find((r) => r.ensemble);
    expect(row).toBeDefined();
    const info = row!.ensemble!;
    expect(info.members.length).toBeGreaterThanOrEqual(2);
    expect(info.members.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 9);
    for (const m of info.members) expect(m.weight).toBeGreaterThan(0);
    const singles = result.leaderboard.filter((r) => !r.ensemble && r.test !== null);
    expect(singles).toHaveLength(3);
    // Greedy selection starts from the best single model and keeps its best round, so on the
    // validation windows it was fitted to it is never worse than any single model.
    for (const s of singles) expect(info.fitValLoss).toBeLessThanOrEqual(s.causalValLoss! + 1e-9);
    expect(row!.modelParams).toBe(info.members.reduce((a, m) => a + (singles.find((r) => r.trial === m.trial)?.modelParams ?? Number.NaN), 0));
    expect(row!.latency?.batchedMsPerSample).toBeGreaterThan(0);
    expect(row!.trial).toBeNull();
    expect(row!.test?.task === 'forecasting' && row!.test.mse).toBeGreaterThan(0);
    // Selection is by the cross-fitted (held-out) validation loss against each single model's.
    const heldOutWins = singles.every((s) => row!.causalValLoss! < s.causalValLoss!);
    expect(Boolean(result.best.ensemble)).toBe(heldOutWins);
    // On this seeded data the mix beats every single model held out.
    expect(heldOutWins).toBe(true);
    expect(result.export?.files.map((f) => f.name).sort()).toEqual(['USAGE.md', 'metadata.json', 'model.onnx', 'model.torchscript.pt']);
    expect(result.export?.roundTripOk).toBe(true);
    // The export tool gives the stored ensemble by default and any single trial on request.
    const ens = await exportTrial(t.app, study.id);
    expect(ens).toMatchObject({ trial: null, arch: 'ensemble' });
    const one = await exportTrial(t.app, study.id, { trial: info.members[0]!.trial });
    expect(one.files.map((f) => f.name)).toEqual(expect.arrayContaining(['model.py', 'weights.pt']));
  }, 360_000);

  it('cancels a study: queued trials are dropped and nothing runs afterwards', async () => {
    const study = await startStudy(t.app, { dataset, lookback: 24, horizon: 8, candidates: ['dlinear'], maxTrials: 50, epochs: 50, patience: 50, parallelism: 1, pruner: 'none' }, { origin: 'test' });
    await until(() => t.app.studies.trials(study.id), (trs) => trs.some((tr) => tr.state === 'running'), 60_000);
    const r = await cancelStudy(t.app, study.id);
    expect(r).toEqual({ cancelled: true, state: 'cancelled' });
    const trials = await until(() => t.app.studies.trials(study.id), (trs) => trs.every((tr) => !['queued', 'running'].includes(tr.state)), 60_000);
    expect(trials.length).toBeLessThan(50);
    expect(trials.every((tr) => ['cancelled', 'complete'].includes(tr.state))).toBe(true);
    expect((await cancelStudy(t.app, study.id)).cancelled).toBe(false);
  }, 180_000);

  it('searches the lookback by default when the data is long enough; a named lookback stays fixed', async () => {
    const long = await loadSynthetic(t.app, { rows: 4000, features: 2 });
    const searched = await startStudy(t.app, { dataset: long, candidates: ['dlinear'], maxTrials: 1, epochs: 1 }, { origin: 'test' });
    await cancelStudy(t.app, searched.id);
    const lookbacks = studySpecSchema.parse((await t.app.studies.get(searched.id)).spec).request.lookbacks;
    expect(lookbacks).toEqual(defaultLookbacks('forecasting', (await t.app.datasets.get(long)).meta.splits, 96));
    expect(lookbacks!.length).toBeGreaterThanOrEqual(2);
    const fixed = await startStudy(t.app, { dataset: long, lookback: 48, candidates: ['dlinear'], maxTrials: 1, epochs: 1 }, { origin: 'test' });
    await cancelStudy(t.app, fixed.id);
    const spec = studySpecSchema.parse((await t.app.studies.get(fixed.id)).spec);
    expect(spec.request.lookbacks).toBeUndefined();
    expect(spec.request.lookback).toBe(48);
  });

  it('refuses bad requests before storing anything', async () => {
    const before = (await t.app.studies.list(100)).length;
    await expect(startStudy(t.app, { dataset: 'ds_missing' }, { origin: 'test' })).rejects.toMatchObject({ code: 'dataset.not_found' });
    await expect(startStudy(t.app, { dataset, candidates: ['no_such_model'] }, { origin: 'test' })).rejects.toMatchObject({ code: 'search.unknown_candidate' });
    await expect(startStudy(t.app, { dataset, lookback: 400, horizon: 96 }, { origin: 'test' })).rejects.toMatchObject({ code: 'search.dataset_too_short' });
    await expect(startStudy(t.app, { dataset, sampler: 'grid' } as never, { origin: 'test' })).rejects.toMatchObject({ code: 'search.bad_request' });
    expect((await t.app.studies.list(100)).length).toBe(before);
  });
});
