/**
 * Running a study's trained trials again after the search (evaluation, latency, export, ensembles):
 * the slice of a study that work needs, each trial's model with its stored weights, and the
 * thread count the trial policy gives work that runs beside other studies' trials on this host.
 */
import type { App } from '../app.js';
import type { PreparedFiles } from '../datasets/store.js';
import { threadsNow } from '../runner/threads.js';
import type { ModelSpec } from '../runner/types.js';
import { weightsPathOf } from './result.js';
import type { Params } from './space.js';
import type { StudySpec } from './spec.js';
import { trialModelSpec } from './trial.js';

/** A study as post-search work reads it: its id, spec and prepared dataset files. */
export interface StudyFiles {
  studyId: string;
  spec: StudySpec;
  files: PreparedFiles;
}

/** A trained trial as the runner builds it: the trial's model and the path of its stored weights. */
export async function trainedTrial(app: Pick<App, 'artifacts'>, s: StudyFiles, number: number, params: Params): Promise<ModelSpec & { weightsPath: string }> {
  const { model } = trialModelSpec(s.spec, params, s.files.meta.columns.length);
  return { ...model, weightsPath: await weightsPathOf(app, s.studyId, number) };
}

/** Threads for one post-search runner call, by the trial policy. */
export function trialThreadsNow(app: Pick<App, 'config'>): number {
  return threadsNow(app.config.workerConcurrency, app.config.trialThreads);
}
