/**
 * Pruners: decide from a running trial's per-epoch validation losses whether to stop it.
 *
 * Stateless by design: each decision is a pure function of the trial's losses so far and the
 * other trials' records, so a coordinator that restarts can re-ask and get the same answer.
 * Steps: intermediate[i] is the loss after epoch i + 1; the pruner is asked once per new epoch.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import type { PrunableTrial, Pruner, TrialRecord } from './types.js';

function invalidOptions(name: string, error: z.ZodError): GenAutoMLError {
  return new GenAutoMLError('search.invalid_pruner', `Invalid ${name} pruner options: ${error.message}`, {
    hint: 'Check the pruner options against the documented defaults.',
    details: { issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

function parseOptions<S extends z.ZodType>(name: string, schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) throw invalidOptions(name, parsed.error);
  return parsed.data;
}

export class NopPruner implements Pruner {
  readonly name = 'none';
  shouldPrune(): boolean {
    return false;
  }
}

/** numpy's default percentile (linear interpolation between order statistics). */
export function percentile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (b - a) * (pos - lo);
}

export const medianOptionsSchema = z
  .object({
    /** Completed trials needed before anything is pruned. */
    nStartupTrials: z.number().int().min(0).default(5),
    /** Epochs (steps) at the start of every trial that are never pruned. */
    nWarmupSteps: z.number().int().min(0).default(0),
    /** Judge only every this many steps after the warm-up. */
    intervalSteps: z.number().int().min(1).default(1),
    /** Completed trials that must have reported the same step for a median to exist. */
    nMinTrials: z.number().int().min(1).default(1),
  })
  .strict();
export type MedianOptions = z.input<typeof medianOptionsSchema>;

/**
 * Optuna's MedianPruner: at step s, prune when the trial's best loss so far is worse (strictly
 * greater) than the median of completed trials' losses at step s. Best-so-far rather than the
 * current value so one noisy epoch does not kill a trial that already did well.
 */
export class MedianPruner implements Pruner {
  readonly name = 'median';
  readonly options: Required<z.output<typeof medianOptionsSchema>>;

  constructor(options?: MedianOptions) {
    this.options = parseOptions('median', medianOptionsSchema, options);
  }

  shouldPrune(trial: PrunableTrial, history: readonly TrialRecord[]): boolean {
    const { nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials } = this.options;
    const step = trial.intermediate.length - 1;
    if (step < 0) return false;
    const completed = history.filter((t) => t.state === 'complete' && t.number !== trial.number);
    if (completed.length === 0 || completed.length < nStartupTrials) return false;
    if (step < nWarmupSteps) return false;
    if ((step - nWarmupSteps) % intervalSteps !== 0) return false;

    const own = trial.intermediate.filter((v) => !Number.isNaN(v));
    // Nothing but NaN: the trial diverged, there is nothing to wait for.
    if (own.length === 0) return true;
    const best = Math.min(...own);

    const atStep = completed
      .map((t) => t.intermediate[step])
      .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    if (atStep.length < nMinTrials) return false;
    return best > percentile(atStep, 50);
  }
}

export const ashaOptionsSchema = z
  .object({
    /** Epochs at the first rung. */
    minResource: z.number().int().min(1).default(1),
    /** Rungs are minResource * reductionFactor^k epochs; the top 1/reductionFactor go on. */
    reductionFactor: z.number().int().min(2).default(3),
    /** Skips the first rungs (Optuna's s): rung k sits at minResource * rf^(s + k). */
    minEarlyStoppingRate: z.number().int().min(0).default(0),
  })
  .strict();
export type AshaOptions = z.input<typeof ashaOptionsSchema>;

/**
 * Asynchronous successive halving (Li et al., ASHA; Optuna's SuccessiveHalvingPruner). A trial
 * reaching a rung is compared with every other trial that reached that rung so far — whatever
 * its state — including itself; it continues only when its loss there is within the best
 * floor(n / rf) of those n values (at least the single best, so the first arrival always
 * continues: that is what makes it asynchronous). Each rung is judged once, at the epoch the
 * trial reaches it; later arrivals never retroactively prune a trial that was promoted.
 */
export class AshaPruner implements Pruner {
  readonly name = 'asha';
  readonly options: Required<z.output<typeof ashaOptionsSchema>>;

  constructor(options?: AshaOptions) {
    this.options = parseOptions('asha', ashaOptionsSchema, options);
  }

  /** The rung index whose resource is exactly `epochs`, or -1 when `epochs` is not a rung. */
  rungAt(epochs: number): number {
    const { minResource, reductionFactor, minEarlyStoppingRate } = this.options;
    let r = minResource * reductionFactor ** minEarlyStoppingRate;
    for (let k = 0; r <= epochs; k++, r *= reductionFactor) {
      if (r === epochs) return k;
    }
    return -1;
  }

  shouldPrune(trial: PrunableTrial, history: readonly TrialRecord[]): boolean {
    const epochs = trial.intermediate.length;
    if (epochs === 0 || this.rungAt(epochs) < 0) return false;
    const value = trial.intermediate[epochs - 1] as number;
    if (Number.isNaN(value)) return true;

    const values = [value];
    for (const t of history) {
      if (t.number === trial.number || t.intermediate.length < epochs) continue;
      const v = t.intermediate[epochs - 1];
      if (typeof v === 'number' && !Number.isNaN(v)) values.push(v);
    }
    values.sort((a, b) => a - b);
    const cutoffIndex = Math.max(0, Math.floor(values.length / this.options.reductionFactor) - 1);
    return !(value <= (values[cutoffIndex] as number));
  }
}

export type PrunerFactory = (options?: Record<string, unknown>) => Pruner;

export const PRUNERS: Record<string, PrunerFactory> = {
  none: (options) => {
    if (options && Object.keys(options).length > 0) {
      throw new GenAutoMLError('search.invalid_pruner', 'The "none" pruner takes no options.', { hint: 'Drop the pruner options.' });
    }
    return new NopPruner();
  },
  median: (options) => new MedianPruner(options as MedianOptions),
  asha: (options) => new AshaPruner(options as AshaOptions),
};

export function createPruner(name: string, options?: Record<string, unknown>): Pruner {
  const factory = Object.hasOwn(PRUNERS, name) ? PRUNERS[name] : undefined;
  if (!factory) {
    throw new GenAutoMLError('search.unknown_pruner', `Unknown pruner "${name}".`, {
      hint: `Use one of: ${Object.keys(PRUNERS).join(', ')}.`,
      details: { pruner: name },
    });
  }
  return factory(options);
}
