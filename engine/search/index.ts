/** The search's algorithmic core: spaces, samplers, pruners and study decisions. No I/O. */
export * from './rng.js';
export * from './space.js';
export * from './types.js';
export * from './samplers/index.js';
export * from './pruners.js';
export * from './study.js';
