/**
 * The search end to end on the real queue, runner and PyTorch: a small study over two baselines
 * and a model that always produces NaN, with a webhook subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { cancelStudy, startStudy, studyStatus } from '../../../engine/search/service.js';
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
    const status = await until(() => studyStatus(t.app, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to end');
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
    const result = status.result as { best: { arch: string; valLoss: number; test: { mse: number } | null }; leaderboard: { arch: string; valLoss: number }[]; export: { files: { name: string }[] } };
    expect(['dlinear', 'nlinear']).toContain(result.best.arch);
    // The winner is the lowest validation loss, whatever the test scores say.
    const vals = result.leaderboard.map((r) => r.valLoss);
    expect(vals).toEqual([...vals].sort((a, b) => a - b));
    expect(result.best.test?.mse).toBeGreaterThan(0);
    expect(result.export.files.map((f) => f.name)).toEqual(expect.arrayContaining(['model.py', 'metadata.json']));

    const req = await until(async () => hook.requests.find((r) => r.url === '/hook'), (r) => r !== undefined, 60_000);
    const body = JSON.parse(req!.body.toString());
    expect(body.text).toContain(study.id);
    expect(JSON.stringify(body.blocks)).toContain(result.best.arch);
  }, 360_000);

  it('covers every candidate once in a study with as many trials as candidates, cheap first, and keeps the failed one on the board with why', async () => {
    const study = await startStudy(
      t.app,
      { dataset, lookback: 24, horizon: 8, candidates: ['patchtst', 'always_nan', 'dlinear'], maxTrials: 3, epochs: 1, patience: 1, parallelism: 1, sampler: 'random', pruner: 'none', seed: 11, topK: 1 },
      { origin: 'test' },
    );
    const status = await until(() => studyStatus(t.app, study.id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 300_000, 'the study to end');
    expect(status.state).toBe('done');
    const trials = await t.app.studies.trials(study.id);
    // Cheap first: the linear models before the transformer, whatever the random sampler would say.
    expect(trials.map((tr) => tr.params.arch)).toEqual(['always_nan', 'dlinear', 'patchtst']);
    // Coverage trials carry no architecture parameter: each model's own defaults.
    for (const tr of trials) expect(Object.keys(tr.params).filter((k) => k.includes('.'))).toEqual([]);
    const result = status.result as { leaderboard: { arch: string }[]; unranked: { arch: string; status: string; error: string | null }[] };
    expect(result.leaderboard.map((r) => r.arch).sort()).toEqual(['dlinear', 'patchtst']);
    expect(result.unranked).toEqual([expect.objectContaining({ arch: 'always_nan', status: 'failed', error: expect.stringMatching(/finite/i) })]);
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

  it('refuses bad requests before storing anything', async () => {
    const before = (await t.app.studies.list(100)).length;
    await expect(startStudy(t.app, { dataset: 'ds_missing' }, { origin: 'test' })).rejects.toMatchObject({ code: 'dataset.not_found' });
    await expect(startStudy(t.app, { dataset, candidates: ['no_such_model'] }, { origin: 'test' })).rejects.toMatchObject({ code: 'search.unknown_candidate' });
    await expect(startStudy(t.app, { dataset, lookback: 400, horizon: 96 }, { origin: 'test' })).rejects.toMatchObject({ code: 'search.dataset_too_short' });
    await expect(startStudy(t.app, { dataset, sampler: 'grid' } as never, { origin: 'test' })).rejects.toMatchObject({ code: 'search.bad_request' });
    expect((await t.app.studies.list(100)).length).toBe(before);
  });
});
