/** Training: the trainer never sees a test row, and the host scores every epoch itself. */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { GenAutoMLError } from '../../errors.js';
import type { RunnerProcess } from '../process.js';
import { cutRows, loadSeries, scoreWindows, windowStarts } from '../scoring.js';
import { checkTensorFile } from '../tensors.js';
import { modelDimsSchema, trainOptionsSchema, trainResultSchema, type RunOptions, type RunnerEvent, type TrainResult, type TrainSpec } from '../types.js';
import { finiteOrNull, modelFields, parseOrThrow, type AdmissionCallOptions, type StagedRunner } from './staged.js';

/** The trained weights as a trainer leaves them and the host stores them (tensors.ts). */
export const WEIGHTS_FILE = 'weights.tensors';

export interface TrainCallOptions extends RunOptions, AdmissionCallOptions {
  onEvent?: (e: RunnerEvent) => void;
  paramBudget?: number;
  /** Tests only (see ValidateOptions.policy). */
  policy?: boolean;
}

/** A training run in flight: await it for the result; stop() prunes, cancel() kills. */
export class TrainRun implements PromiseLike<TrainResult> {
  private proc: RunnerProcess | null = null;
  private stopWanted = false;
  private readonly abort = new AbortController();

  constructor(start: (run: TrainRun, signal: AbortSignal) => Promise<TrainResult>) {
    this.promise = start(this, this.abort.signal);
    this.promise.catch(() => undefined);
  }

  readonly promise: Promise<TrainResult>;

  /** @internal */
  attach(p: RunnerProcess): void {
    this.proc = p;
    if (this.stopWanted) p.stop();
  }

  /** Finish the current epoch, keep the best weights, and resolve (stopReason 'pruned'). */
  stop(): void {
    this.stopWanted = true;
    this.proc?.stop();
  }

  /** Kill the run (SIGTERM, then SIGKILL); the promise rejects with runner.cancelled. */
  cancel(): void {
    this.abort.abort();
  }

  then<A = TrainResult, B = never>(ok?: ((v: TrainResult) => A | PromiseLike<A>) | null, err?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.promise.then(ok, err);
  }
}

/**
 * Trains in a sandbox that never receives a test row (its data file ends with the validation
 * split). Each epoch the trainer writes its validation predictions to a host-named file; the
 * host scores them against its own targets (scoring.ts), and only those host values reach
 * onEvent, the history and bestValLoss. The trainer's own numbers are ignored.
 */
export function train(r: StagedRunner, spec: TrainSpec, options: TrainCallOptions = {}): TrainRun {
  return new TrainRun(async (run, internal) => {
    const dims = modelDimsSchema.parse(spec.dims);
    const train = trainOptionsSchema.parse(spec.train ?? {});
    const signal = options.signal ? AbortSignal.any([options.signal, internal]) : internal;
    const dest = path.resolve(spec.workDir);
    const series = await loadSeries(spec.data.valuesPath, spec.data.meta, spec.data.labelsPath);
    const valEnd = spec.data.meta.splits.val[1];
    const cutMeta = { ...spec.data.meta, rows: valEnd, splits: { ...spec.data.meta.splits, test: [valEnd, valEnd] as [number, number] } };
    const { lookback: L, horizon: H } = dims;
    const valStarts = windowStarts(series, 'val', L, H);
    const crit = train.loss ?? (dims.task === 'anomaly' ? 'mse' : 'mae');
    const scored = new Map<number, { loss: number; mse: number }>();
    let chain: Promise<void> = Promise.resolve();
    let fatal: unknown = null;
    let proc: RunnerProcess | null = null;
    let loopStart: number | null = null;
    let loopEnd: number | null = null;
    const onEpoch = (e: RunnerEvent, scratch: string): void => {
      if (e.event !== 'epoch') {
        if (e.event === 'info' && loopStart === null) loopStart = performance.now();
        options.onEvent?.(e);
        return;
      }
      chain = chain.then(async () => {
        // Epochs come in order, once each; anything else is a forged line and is dropped.
        if (fatal || e.epoch !== scored.size + 1) return;
        let host: { loss: number; mse: number } | null = null;
        if (valStarts.length > 0) {
          const name = `val-${e.epoch}.f32`;
          const bytes = valStarts.length * H * series.C * 4;
          try {
            // No file yet: a line the model forged before the trainer finished this epoch.
            const buf = await r.readScratch(scratch, { name, maxBytes: bytes, exactBytes: bytes, optional: true });
            if (!buf) return;
            await rm(path.join(scratch, name), { force: true });
            const pred = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
            const m = scoreWindows(series, valStarts, L, H, pred);
            host = { loss: crit === 'mse' ? m.mse : m.mae, mse: m.mse };
          } catch (err) {
            fatal = err;
            proc?.kill('protocol', `validation predictions of epoch ${e.epoch} refused`);
            return;
          }
          scored.set(e.epoch, host);
        } else {
          scored.set(e.epoch, { loss: NaN, mse: NaN });
        }
        loopEnd = performance.now();
        options.onEvent?.({ ...e, val_loss: finiteOrNull(host?.loss), val_mse: finiteOrNull(host?.mse) });
      });
    };
    const labels = series.labels;
    let data: unknown;
    let files: Array<{ name: string; bytes: number }>;
    try {
      ({ data, files } = await r.staged({
        kind: 'trial',
        what: 'training',
        ...(options.admission ? { admission: options.admission } : {}),
        inputs: [{ name: 'values.f32', bytes: cutRows(series, valEnd) }, ...(labels ? [{ name: 'labels.u8', bytes: Buffer.from(labels.subarray(0, valEnd)) }] : [])],
        timeoutS: r.timeout('trial', options.timeoutS),
        gpu: r.usesGpu(options.device),
        ...(options.threads ? { threads: options.threads } : {}),
        signal,
        onEvent: onEpoch,
        settle: () => chain,
        attach: (p) => {
          proc = p;
          run.attach(p);
        },
        request: (paths, scratch) => ({
          op: 'train',
          ...modelFields(spec),
          data: { valuesPath: paths[0], labelsPath: labels ? paths[1] : null, meta: cutMeta },
          workDir: scratch,
          train,
          paramBudget: options.paramBudget ?? r.paramBudget,
          policy: options.policy ?? true,
          device: options.device ?? r.device,
          threads: options.threads ?? r.threads,
        }),
        outputs: {
          dest,
          expected: [
            { name: WEIGHTS_FILE, maxBytes: r.fsizeMb('trial') * 1024 * 1024, verify: async (f) => void checkTensorFile(await readFile(f)) },
            { name: 'build.json', maxBytes: 1024 * 1024 },
          ],
        },
      }));
    } catch (e) {
      await chain;
      // A cancelled run's scratch directory is removed under the epoch reader (seen in CI: a
      // worker's SIGTERM recorded its trial as failed, not handed back). What the reader then
      // refuses follows from the cancellation; it is no verdict on the model.
      throw e instanceof GenAutoMLError && e.code === 'runner.cancelled' ? e : (fatal ?? e);
    }
    if (fatal) throw fatal;
    const result = parseOrThrow(trainResultSchema, data, 'train');
    const weightsPath = path.join(dest, WEIGHTS_FILE);
    if (!files.some((f) => f.name === WEIGHTS_FILE)) throw new GenAutoMLError('runner.bad_output', 'training wrote no weights');
    // History and best loss from the host's scores only; the reply's numbers are claims.
    const claimed = new Map(result.history.map((h) => [h.epoch, h]));
    const history = [...scored.entries()].map(([epoch, v]) => ({ epoch, train_loss: claimed.get(epoch)?.train_loss ?? null, val_loss: finiteOrNull(v.loss), lr: claimed.get(epoch)?.lr ?? 0 }));
    const finite = history.flatMap((h) => (h.val_loss === null ? [] : [h.val_loss]));
    const atBest = scored.get(result.bestEpoch)?.loss;
    const bestValLoss = finiteOrNull(atBest) ?? (finite.length ? Math.min(...finite) : null);
    const loopS = loopStart !== null && loopEnd !== null ? (loopEnd - loopStart) / 1000 : null;
    return { ...result, epochs: history.length, history, bestValLoss, weightsPath, loopS };
  });
}
