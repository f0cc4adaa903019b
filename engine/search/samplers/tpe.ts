/**
 * Tree-structured Parzen Estimator, following Optuna's default (independent) TPESampler.
 *
 * - Until `nStartupTrials` trials have finished (complete or pruned), sample uniformly — the
 *   exact draws RandomSampler would make for the same stream.
 * - Then, per parameter, in space order (so `arch` is chosen before its children):
 *   1. observations = finished trials in which the parameter was active (conditional spaces:
 *      a child is fitted only on its own architecture's trials, as Optuna's independent TPE).
 *      gamma is applied to these n trials, as Optuna 2.x did; Optuna 3+ splits all trials
 *      first and then keeps those with the parameter. Per-parameter splitting gives every
 *      architecture's hyperparameters a non-empty good set even while that architecture is not
 *      the global leader; on this repository's synthetic benchmark both measured the same;
 *   2. rank them best first: complete trials by value; then pruned trials, deepest first, then
 *      by their last intermediate value. Pruned trials therefore land among the "bad" unless
 *      fewer than gamma(n) trials completed, which is how Optuna orders them too;
 *   3. the best gamma(n) = min(ceil(0.1 n), 25) form l(x), the rest g(x); within each group
 *      older trials are down-weighted once there are more than 25 (Optuna's default_weights);
 *   4. draw `nEiCandidates` from l(x) and keep the one maximising log l(x) - log g(x)
 *      (first wins on ties, so the choice is a pure function of the stream).
 * - Failed and running trials are ignored; complete trials without a finite value too.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../../errors.js';
import type { Distribution, Params, Scalar, SearchSpace } from '../space.js';
import { contains } from '../space.js';
import type { Rng } from '../rng.js';
import type { Sampler, TrialRecord } from '../types.js';
import type { Estimator, ParzenOptions } from './parzen.js';
import { CategoricalParzen, NumericParzen, defaultWeights } from './parzen.js';
import { sampleConditional, sampleUniform } from './random.js';

export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

export interface TpeOptions {
  nStartupTrials?: number;
  nEiCandidates?: number;
  priorWeight?: number;
  considerMagicClip?: boolean;
  considerEndpoints?: boolean;
  gamma?: (n: number) => number;
  weights?: (n: number) => number[];
}

/** The JSON-expressible options (what a tool caller may pass); functions only from code. */
export const tpeOptionsSchema = z
  .object({
    nStartupTrials: z.number().int().min(0).optional(),
    nEiCandidates: z.number().int().min(1).max(10_000).optional(),
    priorWeight: z.number().positive().finite().optional(),
    considerMagicClip: z.boolean().optional(),
    considerEndpoints: z.boolean().optional(),
  })
  .strict();

/** Complete trials with a finite value, or pruned trials: what TPE learns from. */
function isObservation(t: TrialRecord): boolean {
  if (t.state === 'complete') return typeof t.value === 'number' && Number.isFinite(t.value);
  return t.state === 'pruned';
}

/** Sort key, smaller is better: [group, -depth, value, number] compared lexicographically. */
function rankKey(t: TrialRecord): [number, number, number, number] {
  if (t.state === 'complete') return [0, 0, t.value as number, t.number];
  const depth = t.intermediate.length;
  const last = t.intermediate[depth - 1];
  const v = typeof last === 'number' && Number.isFinite(last) ? last : Infinity;
  return [1, -depth, v, t.number];
}

function compareRank(a: TrialRecord, b: TrialRecord): number {
  const ka = rankKey(a);
  const kb = rankKey(b);
  for (let i = 0; i < 4; i++) {
    const d = (ka[i] as number) - (kb[i] as number);
    if (d !== 0 && !Number.isNaN(d)) return d;
    // Infinity - Infinity is NaN: equal for ordering purposes.
  }
  return 0;
}

/** Splits observations into below (good) and above (bad), each in trial order. */
export function splitTrials(trials: readonly TrialRecord[], nBelow: number): { below: TrialRecord[]; above: TrialRecord[] } {
  const ranked = [...trials].sort(compareRank);
  const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
  return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber) };
}

export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  private readonly parzen: ParzenOptions;
  private readonly gamma: (n: number) => number;
  private readonly weights: (n: number) => number[];

  constructor(options: TpeOptions = {}) {
    const { gamma, weights, ...json } = options;
    if ((gamma !== undefined && typeof gamma !== 'function') || (weights !== undefined && typeof weights !== 'function')) {
      throw new GenAutoMLError('search.invalid_sampler', 'TPE gamma and weights must be functions.', {
        hint: 'They can only be set from code; leave them out to use Optuna\'s defaults.',
      });
    }
    const parsed = tpeOptionsSchema.safeParse(json);
    if (!parsed.success) {
      throw new GenAutoMLError('search.invalid_sampler', `Invalid TPE options: ${parsed.error.message}`, {
        hint: 'nStartupTrials >= 0, nEiCandidates >= 1, priorWeight > 0.',
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    this.nStartupTrials = parsed.data.nStartupTrials ?? 10;
    this.nEiCandidates = parsed.data.nEiCandidates ?? 24;
    this.parzen = {
      priorWeight: parsed.data.priorWeight ?? 1,
      considerMagicClip: parsed.data.considerMagicClip ?? true,
      considerEndpoints: parsed.data.considerEndpoints ?? false,
    };
    this.gamma = gamma ?? defaultGamma;
    this.weights = weights ?? defaultWeights;
  }

  sample(space: SearchSpace, history: readonly TrialRecord[], rng: Rng): Params {
    // Sorting by number makes the result independent of the order the caller lists trials in.
    const finished = history.filter(isObservation).sort((a, b) => a.number - b.number);
    if (finished.length < this.nStartupTrials) {
      return sampleConditional(space, (_n, d, r) => sampleUniform(d, r), rng);
    }
    return sampleConditional(space, (name, d, r) => this.sampleParam(name, d, finished, r), rng);
  }

  private sampleParam(name: string, d: Distribution, finished: readonly TrialRecord[], rng: Rng): Scalar {
    const trials = finished.filter((t) => Object.hasOwn(t.params, name) && contains(d, t.params[name]));
    const nBelow = Math.max(0, Math.min(trials.length, Math.floor(this.gamma(trials.length))));
    const { below, above } = splitTrials(trials, nBelow);
    const l = this.estimator(d, name, below);
    const g = this.estimator(d, name, above);

    let best: Scalar = null;
    let bestScore = -Infinity;
    let haveBest = false;
    for (let i = 0; i < this.nEiCandidates; i++) {
      const x = l.sample(rng);
      const score = l.logPdf(x) - g.logPdf(x);
      if (!haveBest || score > bestScore) {
        best = x;
        bestScore = score;
        haveBest = true;
      }
    }
    return best;
  }

  private estimator(d: Distribution, name: string, trials: readonly TrialRecord[]): Estimator {
    const obs = trials.map((t) => t.params[name] as Scalar);
    const w = this.weights(obs.length);
    if (w.length !== obs.length || w.some((x) => !(x >= 0) || !Number.isFinite(x))) {
      throw new GenAutoMLError('search.invalid_sampler', 'The TPE weights function returned a bad vector.', {
        hint: 'weights(n) must return n non-negative finite numbers.',
      });
    }
    if (d.kind === 'categorical') return new CategoricalParzen(d, obs, w, this.parzen);
    return new NumericParzen(d, obs as number[], w, this.parzen);
  }
}
