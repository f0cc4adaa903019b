/** Shared fixtures for the search tests: a tiny sequential study loop and a synthetic objective. */
import { Rng, buildSpace } from '../../../engine/search/index.js';
import type { Params, Sampler, SearchSpace, TrialRecord } from '../../../engine/search/index.js';

export function trial(number: number, state: TrialRecord['state'], params: Params, value?: number, intermediate: number[] = []): TrialRecord {
  return { number, state, params, ...(value === undefined ? {} : { value }), intermediate };
}

/** Runs trials one after another; objective noise comes from a stream of its own. */
export function runSequential(
  sampler: Sampler,
  space: SearchSpace,
  objective: (p: Params, noise: Rng) => number,
  seed: number,
  nTrials: number,
): TrialRecord[] {
  const history: TrialRecord[] = [];
  for (let i = 0; i < nTrials; i++) {
    const params = sampler.sample(space, history, Rng.forTrial(seed, i));
    const value = objective(params, Rng.create(seed).derive('noise', i));
    history.push(trial(i, 'complete', params, value));
  }
  return history;
}

/** Two architectures with their own hyperparameters plus shared knobs; optimum 0.1 on "beta". */
export const conditionalSpace = buildSpace({
  architectures: [
    { name: 'alpha', searchSpace: { width: [8, 16, 32, 64, 128, 256], depth: [1, 2, 3, 4, 5, 6] } },
    { name: 'beta', searchSpace: { kernel: [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25], dropout: [0, 0.1, 0.2, 0.3, 0.4] } },
  ],
});

export function conditionalQuadratic(p: Params, noise: Rng): number {
  const lr = Math.log10(p['lr'] as number);
  const revin = p['revin'] === true ? 0 : 0.1;
  const bs = p['batch_size'] === 64 ? 0 : 0.05;
  let v: number;
  if (p['arch'] === 'alpha') {
    const w = Math.log2(p['alpha.width'] as number);
    v = 0.4 + ((w - 5) / 2) ** 2 + 0.1 * Math.abs((p['alpha.depth'] as number) - 2) + (lr + 2.5) ** 2;
  } else {
    const k = p['beta.kernel'] as number;
    v = 0.1 + ((k - 15) / 6) ** 2 + (p['beta.dropout'] as number) + (lr + 3.2) ** 2;
  }
  return v + revin + bs + noise.normal(0, 0.02);
}
