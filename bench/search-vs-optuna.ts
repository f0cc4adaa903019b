/**
 * genautoml's search against plain Optuna, side by side: ../shared/tools/optuna_reference.py (TPE
 * + median pruner + a hand-written loop over the same zoo files, trusted, in one process) and a
 * genautoml study (TPE + median pruner, sandboxed runner, queue, embedded database) are started at
 * the same moment on the same machine with the same wall-clock budget, candidates, lookbacks,
 * epochs, patience and parallelism, so they share whatever else loads the host. Reported per
 * parallelism: trials finished inside the budget (complete + pruned) and the selected model's test
 * MSE (z-scored units, ETT 12/4/4 split, selection on validation MAE for both).
 *
 * GENAUTOML_BENCH_SVO_MINUTES (default 10), GENAUTOML_BENCH_SVO_PARALLELISM ("1,2"). Optuna comes
 * from Debian (python3-optuna; bench set-up in the Makefile), not from the product's dependencies.
 */
import { pythonPath } from '../engine/config.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../engine/paths.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { runStudy, withEtth1App } from './study.js';
import type { BenchResult } from './types.js';

const execFileAsync = promisify(execFile);
const PYTHON = pythonPath(undefined);
const CANDIDATES = ['dlinear', 'nlinear', 'rlinear', 'sparsetsf'];
const LOOKBACKS = [96, 192, 336, 720];
const EPOCHS = 10;
const PATIENCE = 3;

interface OptunaOut {
  wall_s: number;
  trials: number;
  complete: number;
  pruned: number;
  failed: number;
  best_arch: string | null;
  test_mse: number;
}

function sharedFile(rel: string): string {
  const found = [path.resolve(packageRoot(), '..', 'shared', rel), path.join('/work/shared', rel)].find((p) => existsSync(p));
  if (!found) throw new Error(`../shared/${rel} not found beside the project`);
  return found;
}

async function optuna(minutes: number, jobs: number): Promise<OptunaOut> {
  const args = [
    sharedFile('tools/optuna_reference.py'),
    sharedFile('datasets/ETTh1.csv'),
    path.join(packageRoot(), 'engine', 'models', 'zoo'),
    String(minutes),
    `archs=${CANDIDATES.join(',')}`,
    `lookbacks=${LOOKBACKS.join(',')}`,
    `jobs=${jobs}`,
    `epochs=${EPOCHS}`,
    `patience=${PATIENCE}`,
  ];
  // One torch thread per trial, as the reference sets itself and as genautoml's policy gives.
  const { stdout } = await execFileAsync(PYTHON, args, { env: { PATH: '/usr/bin:/bin', OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' }, maxBuffer: 1 << 20, timeout: (minutes * 60 + 1800) * 1000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as OptunaOut;
}

/** The selected model's architecture and test MSE from a stored study result (read defensively). */
function selected(result: unknown): { arch: string | null; mse: number } {
  const best = isRecord(result) && isRecord(result['best']) ? result['best'] : null;
  const test = best && isRecord(best['test']) ? best['test'] : null;
  return {
    arch: best && typeof best['arch'] === 'string' ? best['arch'] : null,
    mse: test && test['task'] === 'forecasting' && typeof test['mse'] === 'number' ? test['mse'] : Number.NaN,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export default async function (): Promise<BenchResult[]> {
  const minutes = Number(process.env.GENAUTOML_BENCH_SVO_MINUTES ?? 10);
  const levels = (process.env.GENAUTOML_BENCH_SVO_PARALLELISM ?? '1,2').split(',').map((s) => Number(s.trim())).filter((n) => n >= 1);
  const results: BenchResult[] = [];
  for (const parallelism of levels) {
    await withEtth1App(parallelism, async (app, dataset) => {
      const request: SearchRequest = {
        dataset,
        candidates: CANDIDATES,
        horizon: 96,
        lookbacks: LOOKBACKS,
        maxMinutes: minutes,
        sampler: 'tpe',
        pruner: 'median',
        parallelism,
        epochs: EPOCHS,
        patience: PATIENCE,
        seed: 0,
        topK: 1,
      };
      // The same moment: both clocks start here; the app and dataset are ready before.
      const load0 = (await import('node:os')).loadavg()[0]!;
      const [ours, theirs] = await Promise.all([runStudy(app, request), optuna(minutes, parallelism)]);
      const study = await app.studies.get(ours.studyId);
      const trials = await app.studies.trials(ours.studyId);
      const budgetEnd = study.createdAt.getTime() + minutes * 60_000;
      const finished = trials.filter((t) => (t.state === 'complete' || t.state === 'pruned') && t.finishedAt && t.finishedAt.getTime() <= budgetEnd + 5_000);
      const { arch, mse } = selected(study.result);
      const oursFinished = finished.length;
      // Per-trial time outside the training loop: runner start (interpreter, torch import,
      // sandbox), data load, model build, validation passes, saving weights and bookkeeping.
      const outside = finished.flatMap((t) => {
        const train = isRecord(t.metrics) && typeof t.metrics['trainTimeS'] === 'number' ? t.metrics['trainTimeS'] : null;
        return t.startedAt && t.finishedAt && train !== null ? [(t.finishedAt.getTime() - t.startedAt.getTime()) / 1000 - train] : [];
      });
      const overhead = outside.length ? outside.reduce((a, b) => a + b, 0) / outside.length : Number.NaN;
      const theirsFinished = theirs.complete + theirs.pruned;
      const trialRatio = oursFinished / Math.max(1, theirsFinished);
      results.push({
        name: `search-vs-optuna/p${parallelism}`,
        metrics: {
          genautoml_trials: oursFinished,
          optuna_trials: theirsFinished,
          trials_ratio: trialRatio,
          genautoml_test_mse: mse,
          optuna_test_mse: theirs.test_mse,
          genautoml_failed: trials.filter((t) => t.state === 'failed').length,
          optuna_failed: theirs.failed,
          genautoml_outside_training_s_per_trial: overhead,
          genautoml_wall_s: ours.wallS,
          optuna_wall_s: theirs.wall_s,
        },
        target: 'trials_ratio >= 1 and genautoml_test_mse <= optuna_test_mse',
        pass: trialRatio >= 1 && mse <= theirs.test_mse,
        notes: `ETTh1 H=96, ${minutes} min each, started together on the same host (shared with other engineers' work; load ${load0.toFixed(1)} at start), parallelism ${parallelism}, candidates ${CANDIDATES.join('/')}, lookbacks ${LOOKBACKS.join('/')}, ${EPOCHS} epochs, patience ${PATIENCE}; genautoml winner ${arch ?? 'none'}, optuna winner ${theirs.best_arch ?? 'none'}; genautoml wall includes its finalisation (top-1 test evaluation, latency, export)`,
      });
      console.error(`bench search-vs-optuna: p${parallelism} genautoml ${oursFinished} trials (mse ${mse}) vs optuna ${theirsFinished} (mse ${theirs.test_mse})`);
    });
  }
  return results;
}
