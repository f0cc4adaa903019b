import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatasetRepo } from '../../../storage/datasets.js';
import { createStudyRepo, type StudyRepo } from '../../../storage/studies.js';
import { createSubscriptionRepo } from '../../../storage/subscriptions.js';
import { DB_MODE, openTestDatabase, type TestDatabase } from '../../helpers/db.js';

describe(`studies and trials on ${DB_MODE}`, () => {
  let t: TestDatabase;
  let studies: StudyRepo;
  beforeEach(async () => {
    t = await openTestDatabase();
    studies = createStudyRepo(t.db);
    const meta = { formatVersion: 1, rows: 1, columns: ['a'], target: 'a', frequencyMs: null, start: '', end: '', splits: { train: [0, 1], val: [1, 1], test: [1, 1] }, scaler: { mean: [0], std: [1] }, hasLabels: false } as const;
    await t.db.transaction((tx) => createDatasetRepo(t.db).insert(tx, { id: 'ds_1', name: 'd', source: {}, meta: meta as never, summary: {} }));
    await studies.create({ id: 'st_1', datasetId: 'ds_1', spec: { maxTrials: 5 } });
  });
  afterEach(async () => t.dispose());

  it('allocates distinct trial numbers under concurrency', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => studies.addTrial('st_1', { i })));
    expect(made.map((m) => m.number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('never finishes a trial twice and never revives a final one', async () => {
    const tr = await studies.addTrial('st_1', { arch: 'dlinear' });
    const claimed = await studies.claimTrial('st_1', tr.number, 'w1');
    expect(claimed?.attempts).toBe(1);
    await studies.appendIntermediate('st_1', tr.number, 0.5);
    await studies.appendIntermediate('st_1', tr.number, 0.4);
    expect((await studies.trial('st_1', tr.number))?.intermediate).toEqual([0.5, 0.4]);
    expect(await studies.finishTrial('st_1', tr.number, 'complete', { value: 0.4, metrics: { mae: 0.4 } })).toBe(true);
    expect(await studies.finishTrial('st_1', tr.number, 'failed', { error: { code: 'trial.failed', message: 'x' } })).toBe(false);
    expect(await studies.claimTrial('st_1', tr.number, 'w2')).toBeUndefined();
    const final = await studies.trial('st_1', tr.number);
    expect(final).toMatchObject({ state: 'complete', value: 0.4, worker: 'w1' });
  });

  it('counts a retried claim as a new attempt and restarts its curve', async () => {
    const tr = await studies.addTrial('st_1', {});
    await studies.claimTrial('st_1', tr.number, 'w1');
    await studies.appendIntermediate('st_1', tr.number, 1);
    expect(await studies.requeueTrial('st_1', tr.number)).toBe(true);
    const again = await studies.claimTrial('st_1', tr.number, 'w2');
    expect(again).toMatchObject({ attempts: 2, requeues: 1, intermediate: [], worker: 'w2' });
  });

  it('fences off a worker whose lease ran out: its writes cannot touch the newer attempt', async () => {
    const tr = await studies.addTrial('st_1', {});
    const first = await studies.claimTrial('st_1', tr.number, 'w1');
    // w1 is presumed dead; the job is redelivered and w2 claims attempt 2.
    const second = await studies.claimTrial('st_1', tr.number, 'w2');
    expect([first?.attempts, second?.attempts]).toEqual([1, 2]);
    await studies.appendIntermediate('st_1', tr.number, 9, 1);
    await studies.appendIntermediate('st_1', tr.number, 0.7, 2);
    expect(await studies.requeueTrial('st_1', tr.number, 1)).toBe(false);
    expect(await studies.finishTrial('st_1', tr.number, 'failed', { error: { code: 'trial.failed', message: 'late' } }, 1)).toBe(false);
    expect(await studies.trial('st_1', tr.number)).toMatchObject({ state: 'running', worker: 'w2', intermediate: [0.7] });
    expect(await studies.finishTrial('st_1', tr.number, 'complete', { value: 0.7 }, 2)).toBe(true);
    expect(await studies.trial('st_1', tr.number)).toMatchObject({ state: 'complete', value: 0.7, worker: 'w2' });
  });

  it('requeues a trial whose worker went silent, and fences the silent worker off', async () => {
    const tr = await studies.addTrial('st_1', {});
    const first = await studies.claimTrial('st_1', tr.number, 'w1', 20);
    expect(first).toMatchObject({ attempts: 1 });
    expect(first?.heartbeatAt).toBeInstanceOf(Date);
    // Alive: a second delivery of its job may not take it over, and nothing is silent yet.
    expect(await studies.claimTrial('st_1', tr.number, 'w2', 20)).toBeUndefined();
    expect(await studies.requeueSilentTrials(20)).toEqual([]);
    expect(await studies.heartbeatTrial('st_1', tr.number, 1)).toBe(true);
    // Silent (a window of 0 s: any heartbeat is old enough): back to queued under the same attempt.
    expect(await studies.requeueSilentTrials(0)).toEqual([{ studyId: 'st_1', number: tr.number }]);
    expect(await studies.trial('st_1', tr.number)).toMatchObject({ state: 'queued', attempts: 1, worker: null, heartbeatAt: null });
    // The silent worker wakes up: it owns nothing any more, and its outcome is refused.
    expect(await studies.heartbeatTrial('st_1', tr.number, 1)).toBe(false);
    expect(await studies.finishTrial('st_1', tr.number, 'complete', { value: 1 }, 1)).toBe(false);
    const second = await studies.claimTrial('st_1', tr.number, 'w2', 20);
    expect(second).toMatchObject({ attempts: 2, requeues: 0, retries: 0, worker: 'w2' });
    expect(await studies.finishTrial('st_1', tr.number, 'complete', { value: 0.5 }, 1)).toBe(false);
    expect(await studies.finishTrial('st_1', tr.number, 'complete', { value: 0.5 }, 2)).toBe(true);
  });

  it('counts a retried runner death apart from hand-backs; requeues every running trial on request', async () => {
    const a = await studies.addTrial('st_1', {});
    const b = await studies.addTrial('st_1', {});
    await studies.claimTrial('st_1', a.number, 'w1');
    await studies.claimTrial('st_1', b.number, 'w1');
    expect(await studies.requeueTrial('st_1', a.number, 1, 'retry')).toBe(true);
    expect(await studies.trial('st_1', a.number)).toMatchObject({ state: 'queued', retries: 1, requeues: 0 });
    // null: every running trial, however fresh its heartbeat (a restarted single-process install).
    expect(await studies.requeueSilentTrials(null)).toEqual([{ studyId: 'st_1', number: b.number }]);
  });

  it('moves a study only along allowed transitions', async () => {
    expect(await studies.transition('st_1', ['queued'], 'running')).toBe(true);
    expect(await studies.transition('st_1', ['queued'], 'running')).toBe(false);
    expect(await studies.transition('st_1', ['running'], 'done', { result: { best: 1 } })).toBe(true);
    expect(await studies.transition('st_1', ['running', 'queued'], 'cancelled')).toBe(false);
    const s = await studies.get('st_1');
    expect(s.state).toBe('done');
    expect(s.result).toEqual({ best: 1 });
    expect(s.finishedAt).toBeInstanceOf(Date);
    await expect(studies.get('st_nope')).rejects.toMatchObject({ code: 'study.not_found' });
  });

  it('finds a study’s subscriptions and the global ones', async () => {
    const subs = createSubscriptionRepo(t.db);
    await subs.add({ studyId: 'st_1', kind: 'webhook', target: { url: 'http://127.0.0.1:1/x' } });
    await subs.add({ studyId: null, kind: 'slack', target: { channel: 'C1' } });
    const found = await subs.forStudy('st_1');
    expect(found.map((s) => s.kind)).toEqual(['webhook', 'slack']);
  });
});
