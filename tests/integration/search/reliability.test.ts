/**
 * Failure modes of a study on the real queue and runner: a trial that overruns its wall-clock
 * limit is killed and recorded, and a webhook that never answers delays only its own delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { insertUserModel, loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';

// Pure-Python busy work in forward: validates quickly on one window, but a training epoch over
// hundreds of windows runs far past the 10 s trial limit.
const SLOW_MODEL = `
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.proj = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        total = 0
        for i in range(300000000):
            total += i
        return self.proj(x.transpose(1, 2)).transpose(1, 2)
`;

describe(`study reliability on ${DB_MODE}`, () => {
  let t: TestApp;
  let hook: TestServer;
  let dataset: string;
  const abort = new AbortController();

  beforeAll(async () => {
    hook = await startTestServer(() => undefined); // accepts and never answers
    t = await createTestApp({ startQueue: true, env: { GENAUTOML_TRIAL_TIMEOUT_S: '10', GENAUTOML_WEBHOOK_TIMEOUT_MS: '500' } });
    dataset = await loadSynthetic(t.app, { rows: 400, features: 2 });
    await insertUserModel(t.app, 'slow_python', SLOW_MODEL);
    await registerSearchWorkers(t.app, { concurrency: 2, pollingIntervalSeconds: 0.5, signal: abort.signal });
  }, 120_000);

  afterAll(async () => {
    abort.abort();
    await t?.dispose();
    await hook?.close();
  });

  it('kills a trial over its time limit, records it, and finishes despite a hanging webhook', async () => {
    const study = await startStudy(
      t.app,
      { dataset, lookback: 24, horizon: 8, candidates: ['slow_python', 'dlinear'], maxTrials: 4, epochs: 2, patience: 2, parallelism: 2, pruner: 'none', seed: 5, topK: 1 },
      { origin: 'test', subscribe: [{ kind: 'webhook', target: { url: `${hook.url}/hang`, format: 'json' } }] },
    );
    const deadline = Date.now() + 300_000;
    let status = await studyStatus(t.app, study.id);
    while (['queued', 'running', 'finalising'].includes(status.state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      status = await studyStatus(t.app, study.id);
    }
    const trials = await t.app.studies.trials(study.id);
    expect(trials).toHaveLength(4);
    for (const tr of trials) expect(['complete', 'failed']).toContain(tr.state);
    const slow = trials.filter((x) => x.params.arch === 'slow_python');
    expect(slow.length).toBeGreaterThan(0); // seed 5 samples it; the check below must not be vacuous
    for (const tr of slow) {
      expect(tr.state).toBe('failed');
      expect((tr.error as { code?: string }).code).toBe('runner.timeout');
    }
    const anyComplete = trials.some((x) => x.state === 'complete');
    expect(status.state).toBe(anyComplete ? 'done' : 'failed');
    // The notification was attempted; its hang did not hold the study back.
    const start = Date.now();
    while (!hook.requests.some((r) => r.url === '/hang') && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 500));
    expect(hook.requests.some((r) => r.url === '/hang')).toBe(true);
    // The app closes now, while the delivery may still be timing out: the queue's stop lets
    // pg-boss record its failure before the pool closes (it used to write after, and reject).
  }, 360_000);
});
