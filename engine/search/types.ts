/**
 * The records samplers, pruners and the study helper read. Kept free of storage concerns: the
 * coordinator maps database rows onto these.
 */
import type { Params, SearchSpace } from './space.js';
import type { Rng } from './rng.js';

export type TrialState = 'complete' | 'pruned' | 'failed' | 'running';

export interface TrialRecord {
  /** 0-based, in the order trials were asked; also the key of the trial's random stream. */
  readonly number: number;
  readonly params: Params;
  readonly state: TrialState;
  /** The objective (validation loss, lower is better); meaningful for complete trials. */
  readonly value?: number;
  /** Validation loss after each epoch: intermediate[i] is after epoch i + 1. */
  readonly intermediate: readonly number[];
  /** Epoch milliseconds; used only by the study helper's ETA. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

export interface Sampler {
  readonly name: string;
  /**
   * Proposes a full assignment of the active parameters. Pure given its inputs: the same
   * space, history (in any order) and rng stream give the same params.
   */
  sample(space: SearchSpace, history: readonly TrialRecord[], rng: Rng): Params;
}

/** The part of a trial a pruner looks at: the trial being judged is still running. */
export interface PrunableTrial {
  readonly number: number;
  readonly intermediate: readonly number[];
}

export interface Pruner {
  readonly name: string;
  /**
   * Called after each reported epoch (once per new intermediate value). History may include
   * the trial itself; it is ignored by number.
   */
  shouldPrune(trial: PrunableTrial, history: readonly TrialRecord[]): boolean;
}
