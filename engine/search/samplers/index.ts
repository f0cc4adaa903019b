/**
 * Sampler registry. A study stores a sampler by name plus JSON options; the coordinator turns
 * them back into a Sampler here. Add a sampler by adding an entry.
 */
import { GenAutoMLError } from '../../errors.js';
import type { Sampler } from '../types.js';
import { RandomSampler } from './random.js';
import { TpeSampler } from './tpe.js';
import type { TpeOptions } from './tpe.js';

export type SamplerFactory = (options?: Record<string, unknown>) => Sampler;

export const SAMPLERS: Record<string, SamplerFactory> = {
  random: (options) => {
    if (options && Object.keys(options).length > 0) {
      throw new GenAutoMLError('search.invalid_sampler', 'The random sampler takes no options.', {
        hint: 'Drop the sampler options.',
        details: { options: Object.keys(options) },
      });
    }
    return new RandomSampler();
  },
  tpe: (options) => new TpeSampler((options ?? {}) as TpeOptions),
};

export function createSampler(name: string, options?: Record<string, unknown>): Sampler {
  const factory = Object.hasOwn(SAMPLERS, name) ? SAMPLERS[name] : undefined;
  if (!factory) {
    throw new GenAutoMLError('search.unknown_sampler', `Unknown sampler "${name}".`, {
      hint: `Use one of: ${Object.keys(SAMPLERS).join(', ')}.`,
      details: { sampler: name },
    });
  }
  return factory(options);
}

export { RandomSampler, sampleUniform, sampleConditional } from './random.js';
export { TpeSampler, defaultGamma, splitTrials, tpeOptionsSchema } from './tpe.js';
export type { TpeOptions } from './tpe.js';
export { CategoricalParzen, NumericParzen, defaultWeights } from './parzen.js';
