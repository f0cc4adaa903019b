/** Starting, inspecting and cancelling studies: what the search tools call. */
import type { z } from 'zod';
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import { resolveCandidates, type Candidate } from '../models/registry.js';
import { estimateCost } from './cost.js';
import { newId } from '../../storage/ids.js';
import { createStudyRepo, type StudyRecord, type TrialRecord as StoredTrial } from '../../storage/studies.js';
import { createSubscriptionRepo, type Subscription } from '../../storage/subscriptions.js';
import { detectWebhookFormat } from '../notify/webhook.js';
import { spaceOf } from './coordinator.js';
import { wakeStudy } from './jobs.js';
import { notifyStudyEnd } from './notify.js';
import { studyPeriod, withPeriod } from './period.js';
import { studyStateOf } from './records.js';
import { searchRequestSchema, studySpecSchema, withDefaults, type CandidateSnapshot, type Lineage, type SearchRequest, type StudySpec } from './spec.js';
import { bestTrial, eta, validateBudget } from './study.js';
import { checkWindows, defaultLookbacks } from '../windows.js';

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
  checkIntent(parsed.data);
  const dataset = await app.datasets.get(parsed.data.dataset);
  const asked = withDefaults(parsed.data);
  // Lookback is searched by default when the data is long enough; a named lookback stays fixed.
  const searched = parsed.data.lookback === undefined && parsed.data.lookbacks === undefined ? defaultLookbacks(asked.task, dataset.meta.splits, asked.horizon) : [];
  const req = searched.length ? { ...asked, lookbacks: searched } : asked;
  const candidates = await resolveCandidates(app, req.candidates);
  const spec: StudySpec = studySpecSchema.parse({
    request: req,
    datasetName: dataset.name,
    nFeatures: dataset.meta.columns.length,
    ...withPeriod(studyPeriod(req.period, dataset.eda)),
    candidates: candidates.map((c) => snapshotOf(c, 'request', null)),
    origin: options.origin,
  });
  validateBudget(studyStateOf(spec, new Date(), [], false).budget, req.parallelism);
  spaceOf(spec); // throws search.invalid_space before anything is stored
  checkWindows(dataset.meta.splits, Math.max(req.lookback, ...(req.lookbacks ?? [])), req.horizon);

  const id = newId('st');
  const study = await app.db.transaction(async (tx) => {
    const created = await createStudyRepo(tx).create({ id, datasetId: dataset.id, spec });
    const subs = createSubscriptionRepo(tx);
    for (const s of options.subscribe ?? []) await subs.add({ ...s, studyId: id });
    for (const url of app.config.webhookUrls) await subs.add({ studyId: id, kind: 'webhook', target: { url, format: detectWebhookFormat(url) } });
    await wakeStudy(app, id, 'start', tx);
    return created;
  });
  app.queue.nudge('study');
  app.logger.info('study started', { study: id, dataset: dataset.id, candidates: candidates.length, sampler: req.sampler, pruner: req.pruner });
  return study;
}

/** What a study keeps of a candidate: its code as it was, its cost estimate and how it joined. */
export function snapshotOf(c: Candidate, source: CandidateSnapshot['source'], lineage: Lineage | null, late = false): CandidateSnapshot {
  return {
    name: c.name,
    kind: c.kind,
    codeSha: c.codeSha,
    code: c.code,
    searchSpace: c.searchSpace,
    cost: estimateCost(c.code, c.params),
    joinedAt: new Date().toISOString(),
    source,
    ...(late ? { late: true } : {}),
    lineage,
  };
}

/** Requests that parse but cannot mean what they say are refused, not quietly read another way. */
function checkIntent(req: z.output<typeof searchRequestSchema>): void {
  if (req.candidates !== undefined && req.candidates.length === 0) {
    throw new GenAutoMLError('search.no_candidates', 'candidates is an empty list, so there is nothing to search.', {
      hint: 'Name at least one model (list_models), or leave candidates out to search every baseline and registered model.',
    });
  }
  if (req.lookbacks !== undefined && req.lookbacks.length === 0) {
    throw new GenAutoMLError('search.bad_request', 'lookbacks is an empty list, so there is no lookback to choose from.', { hint: 'Give one or more lookbacks, or leave lookbacks out and set lookback.' });
  }
  if (req.lookbacks !== undefined && req.lookback !== undefined) {
    throw new GenAutoMLError('search.bad_request', `Both lookback (${req.lookback}) and lookbacks (${req.lookbacks.join(', ')}) were given; the search would use only one of them.`, {
      hint: 'Give lookback for one fixed window, or lookbacks for the search to choose among.',
    });
  }
  if (req.trialMinutes !== undefined && req.maxMinutes !== undefined && req.trialMinutes > req.maxMinutes) {
    throw new GenAutoMLError('search.invalid_budget', `trialMinutes (${req.trialMinutes}) is longer than the whole search (maxMinutes ${req.maxMinutes}).`, { hint: 'Make trialMinutes at most maxMinutes, or leave it out.' });
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
    total: state.budget.maxTrials ?? null,
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
