/**
 * One architect round of a running study (the `architect` job): brief the architect with the
 * leaderboard so far, let it propose models (each through the reflection loop against the real
 * validator), turn away any whose normalised AST matches a model already tried, register the rest
 * with their lineage and inject them into the live study. The round's row is closed in the same
 * transaction that adds the models, so a crash either loses the whole round (it is retried) or
 * nothing.
 */
import type { App } from '../app.js';
import { evolvedIntent } from '../architect/offline/evolve.js';
import { generateModel } from '../architect/loop.js';
import { fingerprints } from '../architect/novelty.js';
import { pythonPath } from '../config.js';
import { edaFactsOf, registerGenerated } from '../architect/register.js';
import type { EvolutionBrief, EvolutionEntry } from '../architect/types.js';
import { edaForDataset } from '../eda/run.js';
import { GenAutoMLError, toGenAutoMLError } from '../errors.js';
import { candidateOf } from '../models/registry.js';
import { createRoundRepo, type RoundRecord } from '../../storage/rounds.js';
import { leaderboardBrief, roundRequest } from './brief.js';
import { addResolved } from './candidates.js';
import { wakeStudy } from './jobs.js';
import { notifyStudyEvent } from './notify.js';
import { studySpecSchema, type Lineage } from './spec.js';

export interface RoundJob {
  studyId: string;
  round: number;
}

/** Parents of an LLM proposal follow from the kind of proposal asked (see roundRequest). */
function llmParents(index: number, board: readonly EvolutionEntry[]): { parents: string[]; operation: string } {
  const ranked = board.filter((e) => e.bestValLoss !== null).map((e) => e.arch);
  if (index % 3 === 0) return { parents: ranked.slice(0, 1), operation: 'mutation' };
  if (index % 3 === 1) return { parents: ranked.slice(0, 2), operation: 'recombination' };
  return { parents: [], operation: 'new design' };
}

export async function runArchitectRound(app: App, job: RoundJob, options: { signal?: AbortSignal } = {}): Promise<void> {
  const log = app.logger.child({ study: job.studyId, round: job.round });
  const rounds = createRoundRepo(app.db);
  const row = await rounds.get(job.studyId, job.round);
  if (!row || row.state !== 'running') return; // finished already: a duplicate delivery
  const study = await app.studies.get(job.studyId);
  if (study.state !== 'running' && study.state !== 'queued') {
    await rounds.finish(job.studyId, job.round, 'failed', { error: { code: 'search.study_closed', message: `the study is ${study.state}` } });
    return;
  }
  const spec = studySpecSchema.parse(study.spec);
  const opts = spec.request.architect;
  if (!opts) {
    await rounds.finish(job.studyId, job.round, 'failed', { error: { code: 'search.no_architect', message: 'the study has no architect rounds' } });
    return;
  }
  const added: string[] = [];
  const rejected: RoundRecord['rejected'] = [];
  const lineage: Record<string, Lineage> = {};
  const proposals = [];
  try {
    const trials = await app.studies.trials(job.studyId);
    const latency = new Map<string, number | null>();
    for (const c of spec.candidates) {
      const rep = (await app.models.find(c.name))?.report as { latencyMs?: unknown } | null | undefined;
      latency.set(c.name, typeof rep?.latencyMs === 'number' ? rep.latencyMs : null);
    }
    const board = leaderboardBrief(spec, trials, (a) => latency.get(a) ?? null);
    // Training split only: the architect must not see statistics of the test period.
    const { report } = await edaForDataset(app, study.datasetId, { scope: 'train', plots: false });
    const edaFacts = edaFactsOf(report);
    const dims = { task: spec.request.task, lookback: spec.request.lookback, horizon: spec.request.horizon, nFeatures: spec.nFeatures };
    const provider = app.architect();
    const python = pythonPath(app.config.python);
    const tried = new Map<string, string>();
    const known = await fingerprints(spec.candidates.map((c) => c.code), python);
    spec.candidates.forEach((c, i) => tried.set(known[i] as string, c.name));
    const steering = opts.request ?? null;

    for (let index = 0; index < opts.modelsPerRound; index++) {
      if (options.signal?.aborted) throw new GenAutoMLError('architect.cancelled', 'the worker is shutting down', { hint: 'The round is retried by another worker.' });
      const evolution: EvolutionBrief = { round: job.round, index, leaderboard: board, steering };
      const request = roundRequest({ round: job.round, rounds: opts.rounds, index, dataset: spec.datasetName, task: spec.request.task, lookback: dims.lookback, horizon: dims.horizon, leaderboard: board, steering, alreadyProposed: proposals });
      let result;
      try {
        result = await generateModel({
          request,
          dims,
          edaContext: report.context,
          edaFacts,
          evolution,
          constraints: {
            paramBudget: opts.paramBudget ?? app.config.paramBudget,
            ...(opts.latencyMsBudget !== undefined ? { latencyMsBudget: opts.latencyMsBudget } : {}),
          },
          maxIterations: opts.maxIterations,
          provider,
          validator: app.runner,
          existingNames: await app.models.names(),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        const e = toGenAutoMLError(err, 'architect.failed');
        if (e.code === 'architect.cancelled') throw e;
        // A provider failure (the LLM is down, the key is wrong) would repeat: the round ends here.
        rejected.push({ name: null, reason: `${e.code}: ${e.message}` });
        log.warn('architect proposal failed', { code: e.code, message: e.message });
        break;
      }
      if (!result.ok || result.code === null) {
        rejected.push({ name: result.name, reason: `not valid after ${result.iterations.length} iteration(s): ${result.error?.stage ?? '?'}: ${result.error?.message ?? ''}` });
        continue;
      }
      const [hash] = await fingerprints([result.code], python);
      const twin = tried.get(hash as string);
      if (twin !== undefined) {
        rejected.push({ name: result.name, reason: `not novel: its normalised AST matches ${twin}, already tried` });
        continue;
      }
      const origin =
        provider.kind === 'offline'
          ? (({ parents, operation }) => ({ parents, operation }))(evolvedIntent(evolution, { nFeatures: dims.nFeatures, ...(edaFacts.periods ? { periods: edaFacts.periods } : {}) }))
          : llmParents(index, board);
      const lin: Lineage = { parents: origin.parents, round: job.round, request: steering, operation: origin.operation };
      const model = await registerGenerated(app, result, { request: steering ?? `architect round ${job.round} of study ${job.studyId}`, dims, lineage: { ...lin, study: job.studyId } });
      tried.set(hash as string, model.name);
      lineage[model.name] = lin;
      proposals.push(model.name);
      added.push(model.name);
    }

    const models = await Promise.all(added.map(async (n) => candidateOf(await app.models.get(n))));
    await addResolved(app, job.studyId, models, {
      source: 'architect',
      lineage,
      within: async (tx) => {
        if (!(await createRoundRepo(tx).finish(job.studyId, job.round, 'done', { added, rejected }))) throw new GenAutoMLError('search.round_conflict', `Round ${job.round} was closed meanwhile.`, { hint: 'Another worker ran it.' });
      },
    });
  } catch (err) {
    const e = toGenAutoMLError(err, 'architect.round_failed');
    if (e.code === 'architect.cancelled') throw e; // the job is retried by another worker
    log.warn('architect round failed', { code: e.code, message: e.message });
    await rounds.finish(job.studyId, job.round, 'failed', { added: [], rejected, error: e.toJSON() });
    await wakeStudy(app, job.studyId, 'resume');
    return;
  }
  log.info('architect round done', { added, rejected: rejected.length });
  await notifyStudyEvent(app, job.studyId, 'round', job.round);
}
