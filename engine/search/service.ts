/** Starting, inspecting and cancelling studies: what the search tools call. */
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import { resolveCandidates } from '../models/registry.js';
import { newId } from '../../storage/ids.js';
import { createStudyRepo, type StudyRecord, type TrialRecord as StoredTrial } from '../../storage/studies.js';
import { createSubscriptionRepo, type Subscription } from '../../storage/subscriptions.js';
import { detectWebhookFormat } from '../notify/webhook.js';
import { spaceOf } from './coordinator.js';
import { wakeStudy } from './jobs.js';
import { notifyStudyEnd } from './notify.js';
import { studyStateOf } from './records.js';
import { searchRequestSchema, studySpecSchema, withDefaults, type SearchRequest, type StudySpec } from './spec.js';
import { bestTrial, eta, validateBudget } from './study.js';

export interface StartOptions {
  origin: string;
  /** Extra subscriptions (the chat thread that started the search, a webhook given in the call). */
  subscribe?: Omit<Subscription, 'id' | 'studyId'>[];
}

export async function startStudy(app: App, request: SearchRequest, options: StartOptions): Promise<StudyRecord> {
  const parsed = searchRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new GenAutoMLError('search.bad_request', `Invalid search request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, { hint: 'Check the search options.' });
  }
  const req = withDefaults(parsed.data);
  const dataset = await app.datasets.get(req.dataset);
  const candidates = await resolveCandidates(app, req.candidates);
  const spec: StudySpec = studySpecSchema.parse({
    request: req,
    datasetName: dataset.name,
    nFeatures: dataset.meta.columns.length,
    candidates: candidates.map((c) => ({ name: c.name, kind: c.kind, codeSha: c.codeSha, code: c.code, searchSpace: c.searchSpace })),
    origin: options.origin,
  });
  validateBudget(studyStateOf(spec, new Date(), [], false).budget, req.parallelism);
  spaceOf(spec); // throws search.invalid_space before anything is stored
  checkWindows(dataset.meta.splits, Math.max(req.lookback, ...(req.lookbacks ?? [])), req.horizon);

  const id = newId('st');
  const study = await app.db.transaction(async (tx) => {
    const created = await createStudyRepo(tx).create({ id, datasetId: dataset.id, spec: spec as unknown as Record<string, unknown> });
    const subs = createSubscriptionRepo(tx);
    for (const s of options.subscribe ?? []) await subs.add({ ...s, studyId: id });
    for (const url of app.config.webhookUrls) await subs.add({ studyId: id, kind: 'webhook', target: { url, format: detectWebhookFormat(url) } });
    await wakeStudy(app, id, 'start', tx);
    return created;
  });
  app.logger.info('study started', { study: id, dataset: dataset.id, candidates: candidates.length, sampler: req.sampler, pruner: req.pruner });
  return study;
}

function checkWindows(splits: { train: [number, number]; val: [number, number]; test: [number, number] }, lookback: number, horizon: number): void {
  const trainRows = splits.train[1] - splits.train[0];
  const need = lookback + horizon;
  if (trainRows < need + 1) {
    throw new GenAutoMLError('search.dataset_too_short', `The training split has ${trainRows} rows; a lookback of ${lookback} plus a horizon of ${horizon} needs more than ${need}.`, {
      hint: 'Use a shorter lookback or horizon, or a longer dataset.',
    });
  }
  for (const [name, [a, b]] of [['validation', splits.val], ['test', splits.test]] as const) {
    if (b - a < horizon) {
      throw new GenAutoMLError('search.dataset_too_short', `The ${name} split has ${b - a} rows, fewer than the horizon ${horizon}.`, { hint: 'Use a shorter horizon or different split ratios.' });
    }
  }
}

export interface StudyStatus {
  id: string;
  state: StudyRecord['state'];
  dataset: string;
  task: string;
  sampler: string;
  pruner: string;
  counts: Record<StoredTrial['state'], number>;
  total: number | null;
  best: { trial: number; arch: string; value: number } | null;
  elapsedS: number;
  etaS: number | null;
  recent: { number: number; arch: string; state: string; value: number | null; epochs: number; error: string | null }[];
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
}

export async function studyStatus(app: App, id: string): Promise<StudyStatus> {
  const study = await app.studies.get(id);
  const spec = studySpecSchema.parse(study.spec);
  const trials = await app.studies.trials(id);
  const counts = { queued: 0, running: 0, complete: 0, pruned: 0, failed: 0, cancelled: 0 };
  for (const t of trials) counts[t.state] += 1;
  const state = studyStateOf(spec, study.createdAt, trials, study.state === 'cancelled');
  const best = bestTrial(state.trials);
  const end = study.finishedAt ?? new Date();
  const open = study.state === 'queued' || study.state === 'running' || study.state === 'finalising';
  return {
    id,
    state: study.state,
    dataset: spec.datasetName,
    task: spec.request.task,
    sampler: spec.request.sampler,
    pruner: spec.request.pruner,
    counts,
    total: spec.request.maxTrials ?? null,
    best: best ? { trial: best.number, arch: String(best.params.arch), value: best.value } : null,
    elapsedS: Math.round((end.getTime() - study.createdAt.getTime()) / 1000),
    etaS: open ? eta(state, Date.now()) : 0,
    recent: trials.slice(-10).reverse().map((t) => ({
      number: t.number,
      arch: String(t.params.arch),
      state: t.state,
      value: t.value,
      epochs: t.intermediate.length,
      error: (t.error as { message?: string } | null)?.message ?? null,
    })),
    result: study.result,
    error: study.error,
  };
}

export async function cancelStudy(app: App, id: string): Promise<{ cancelled: boolean; state: StudyRecord['state'] }> {
  const moved = await app.studies.transition(id, ['queued', 'running', 'finalising'], 'cancelled', {
    error: { code: 'study.cancelled', message: 'cancelled by a user' },
  });
  if (moved) {
    await app.studies.cancelQueuedTrials(id);
    await notifyStudyEnd(app, id, 'cancelled');
  }
  return { cancelled: moved, state: (await app.studies.get(id)).state };
}
