/**
 * Live injection: registered models join a running study without a restart. The study's spec is
 * rewritten under its row lock (the coordinator holds the same lock while it asks trials), the
 * new candidates are marked as late joiners with the time they joined, and the coordinator is
 * woken in the same transaction: it gives each newcomer its coverage trial next. Everything is
 * in the study row, so a crash or a resumed worker sees exactly what was added.
 */
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import { resolveCandidates, type Candidate } from '../models/registry.js';
import type { Database } from '../../storage/db.js';
import { createStudyRepo } from '../../storage/studies.js';
import { spaceOf } from './coordinator.js';
import { wakeStudy } from './jobs.js';
import { snapshotOf } from './service.js';
import { studySpecSchema, type CandidateSnapshot, type Lineage, type StudySpec } from './spec.js';

export interface AddCandidatesResult {
  studyId: string;
  added: string[];
  /** Already candidates of the study: nothing to do for them. */
  present: string[];
  candidates: number;
}

export interface AddOptions {
  source: 'added' | 'architect';
  /** Per model name. */
  lineage?: Record<string, Lineage>;
  /** More writes in the same transaction (the architect round closes its row here). */
  within?: (tx: Pick<Database, 'executeSql'>) => Promise<void>;
}

export async function addCandidates(app: App, studyId: string, names: readonly string[], options: AddOptions = { source: 'added' }): Promise<AddCandidatesResult> {
  if (names.length === 0) throw new GenAutoMLError('search.no_candidates', 'No model names given to add.', { hint: 'Name one or more registered models (list_models).' });
  const models = await resolveCandidates(app, names);
  return addResolved(app, studyId, models, options);
}

/** The same for candidates already resolved (the architect round registers and adds at once). */
export async function addResolved(app: App, studyId: string, models: readonly Candidate[], options: AddOptions): Promise<AddCandidatesResult> {
  const result = await app.db.transaction(async (tx) => {
    const studies = createStudyRepo(tx);
    const study = await studies.lock(studyId);
    if (study.state !== 'queued' && study.state !== 'running') {
      throw new GenAutoMLError('search.study_closed', `Study ${studyId} is ${study.state}; candidates join only a queued or running study.`, {
        hint: study.state === 'done' ? `Start more architect rounds on it (evolve ${studyId}) or a new search.` : 'Start a new search with these models.',
      });
    }
    const spec = studySpecSchema.parse(study.spec);
    const known = new Set(spec.candidates.map((c) => c.name));
    const joining: CandidateSnapshot[] = [];
    const present: string[] = [];
    for (const m of models) {
      if (known.has(m.name)) {
        present.push(m.name);
        continue;
      }
      known.add(m.name);
      joining.push(snapshotOf(m, options.source, options.lineage?.[m.name] ?? null, true));
    }
    await options.within?.(tx);
    if (joining.length === 0) {
      if (options.within) await wakeStudy(app, studyId, 'resume', tx);
      return { studyId, added: [], present, candidates: spec.candidates.length };
    }
    const next = { ...spec, candidates: [...spec.candidates, ...joining] };
    spaceOf(next); // a candidate whose SEARCH_SPACE cannot join the space is refused before anything is stored
    if (spec.candidates.length + joining.length > MAX_CANDIDATES) {
      throw new GenAutoMLError('search.too_many_candidates', `Study ${studyId} would have ${spec.candidates.length + joining.length} candidates, over ${MAX_CANDIDATES}.`, { hint: 'Start a new search for the extra models.' });
    }
    await studies.updateSpec(studyId, next);
    await wakeStudy(app, studyId, 'resume', tx);
    return { studyId, added: joining.map((c) => c.name), present, candidates: next.candidates.length };
  });
  if (result.added.length > 0) app.logger.info('candidates joined a running study', { study: studyId, added: result.added, source: options.source });
  return result;
}

/** As many as a search request may name. */
const MAX_CANDIDATES = 200;

export interface EvolveOptions {
  rounds: number;
  modelsPerRound?: number;
  request?: string;
  /** Extra wall-clock minutes for a finished study with a time budget (default: its budget, at most 10). */
  minutes?: number;
}

/**
 * More architect rounds on a study: a running one gets them added to its plan; a finished one is
 * reopened (its trials and rounds kept) with the rounds, and a time budget extended so they can
 * run. The coordinator starts the next round as soon as every candidate has its first trial.
 */
export async function evolveStudy(app: App, studyId: string, options: EvolveOptions): Promise<{ studyId: string; reopened: boolean; rounds: number }> {
  const out = await app.db.transaction(async (tx) => {
    const studies = createStudyRepo(tx);
    const study = await studies.lock(studyId);
    if (study.state !== 'queued' && study.state !== 'running' && study.state !== 'done') {
      throw new GenAutoMLError('search.study_closed', `Study ${studyId} is ${study.state}; only a running or finished study can evolve.`, { hint: 'Start a new search with architect rounds (search … architect={…}).' });
    }
    const spec = studySpecSchema.parse(study.spec);
    const before = spec.request.architect;
    const architect = {
      rounds: (before?.rounds ?? 0) + options.rounds,
      modelsPerRound: options.modelsPerRound ?? before?.modelsPerRound ?? 2,
      maxIterations: before?.maxIterations ?? 3,
      ...(before?.paramBudget !== undefined ? { paramBudget: before.paramBudget } : {}),
      ...(before?.latencyMsBudget !== undefined ? { latencyMsBudget: before.latencyMsBudget } : {}),
      ...(options.request ?? before?.request ? { request: options.request ?? before?.request } : {}),
    };
    const request = { ...spec.request, architect };
    const reopened = study.state === 'done';
    if (options.minutes !== undefined && !(reopened && request.maxMinutes !== undefined)) {
      // Minutes extend only a finished study with a time budget; anywhere else they would be dropped.
      throw new GenAutoMLError('search.bad_request', `minutes applies to a finished study with a time budget; study ${studyId} is ${study.state}${request.maxMinutes === undefined ? ' and has no time budget' : ''}.`, {
        hint: 'Leave out minutes: the rounds run within the study’s own budget.',
      });
    }
    if (reopened && request.maxMinutes !== undefined) {
      const elapsed = (Date.now() - study.createdAt.getTime()) / 60_000;
      request.maxMinutes = elapsed + (options.minutes ?? Math.min(request.maxMinutes, 10));
    }
    const next = studySpecSchema.parse({ ...spec, request });
    if (reopened ? !(await studies.reopen(studyId, next)) : !(await studies.updateSpec(studyId, next))) {
      throw new GenAutoMLError('search.state_conflict', `Study ${studyId} changed state meanwhile.`, { hint: 'Try again.' });
    }
    await wakeStudy(app, studyId, 'resume', tx);
    return { studyId, reopened, rounds: architect.rounds };
  });
  app.logger.info('study evolves', { study: studyId, ...out });
  return out;
}

/** What a model generated for a study must fit (its dataset, task and windows); refuses a closed study before any work. */
export async function studyDesignTarget(app: App, studyId: string): Promise<{ dataset: string; task: StudySpec['request']['task']; lookback: number; horizon: number }> {
  const study = await app.studies.get(studyId);
  if (study.state !== 'queued' && study.state !== 'running') {
    throw new GenAutoMLError('search.study_closed', `Study ${studyId} is ${study.state}; a generated model can join only a queued or running study.`, {
      hint: study.state === 'done' ? `Use evolve ${studyId} for architect rounds on it, or generate without study= and start a new search.` : 'Generate without study= and start a new search.',
    });
  }
  const spec = studySpecSchema.parse(study.spec);
  return { dataset: study.datasetId, task: spec.request.task, lookback: spec.request.lookback, horizon: spec.request.horizon };
}
