export * from './types.js';
export { RunnerClient, TrainRun, type RunnerClientOptions, type ValidateOptions, type TrainCallOptions } from './client.js';
export { PROTOCOL_VERSION } from './protocol.js';
