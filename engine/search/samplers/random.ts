/**
 * Uniform random search over the conditional space — the method's default and TPE's warm-up.
 */
import type { Distribution, Params, Scalar, SearchSpace } from '../space.js';
import { isActive } from '../space.js';
import type { Rng } from '../rng.js';
import type { Sampler, TrialRecord } from '../types.js';

/** One uniform draw: log distributions are uniform in log space. */
export function sampleUniform(d: Distribution, rng: Rng): Scalar {
  switch (d.kind) {
    case 'categorical':
      return rng.choice(d.choices);
    case 'float': {
      if (!d.log) return clamp(rng.uniform(d.low, d.high), d.low, d.high);
      return clamp(Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))), d.low, d.high);
    }
    case 'int': {
      if (!d.log) return d.low + d.step * rng.integer(0, (d.high - d.low) / d.step);
      // Widen by half a unit so the end values get their fair share after rounding.
      const x = Math.exp(rng.uniform(Math.log(d.low - 0.5), Math.log(d.high + 0.5)));
      return clamp(Math.round(x), d.low, d.high);
    }
  }
}

export function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

/** Walks the space in order so a child sees its parent's value. Draws one number stream per parameter name
 * so adding an unrelated parameter does not reshuffle the others. */
export function sampleConditional(
  space: SearchSpace,
  draw: (name: string, d: Distribution, rng: Rng) => Scalar,
  rng: Rng,
): Params {
  const params: Params = {};
  const active = new Set<string>();
  for (const p of space.params) {
    if (!isActive(p, params, active)) continue;
    params[p.name] = draw(p.name, p.distribution, rng.derive('param', p.name));
    active.add(p.name);
  }
  return params;
}

export class RandomSampler implements Sampler {
  readonly name = 'random';

  sample(space: SearchSpace, _history: readonly TrialRecord[], rng: Rng): Params {
    return sampleConditional(space, (_name, d, r) => sampleUniform(d, r), rng);
  }
}
