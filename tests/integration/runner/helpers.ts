import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../engine/config.js';
import type { PreparedMeta } from '../../../engine/data/prepared.js';
import { RunnerClient, type RunnerClientOptions } from '../../../engine/runner/client.js';
import type { DataRef } from '../../../engine/runner/types.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
export const model = (name: string): string => readFileSync(path.join(FIXTURES, 'models', name), 'utf8');

export function makeClient(extra: Partial<RunnerClientOptions> = {}): RunnerClient {
  // Two shared cores: one torch thread per process keeps parallel test files from thrashing.
  // The settings are the configuration's defaults (an empty environment), as a server has them.
  return new RunnerClient({ ...loadConfig({}), threads: 1, validatePoolSize: 1, runnerMemoryMb: 4096, validateTimeoutS: 60, device: 'cpu', ...extra });
}

const made: string[] = [];

export function tmp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `genautoml-test-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every directory tmp() made in this test file. */
export function removeTmp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Tiny synthetic prepared dataset: C sinusoids with different periods plus noise, z-scored with
 * train statistics, written in the prepared format (float32 LE row-major).
 */
export function syntheticData(opts: { rows?: number; channels?: number; seed?: number; labels?: Uint8Array } = {}): DataRef {
  const rows = opts.rows ?? 600;
  const C = opts.channels ?? 3;
  let s = opts.seed ?? 7;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const raw = new Float64Array(rows * C);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < C; c++) raw[t * C + c] = 10 + 3 * c + (2 + c) * Math.sin((2 * Math.PI * t) / (12 + 6 * c)) + 0.1 * (rand() - 0.5);
  }
  const trainEnd = Math.floor(rows * 0.7);
  const valEnd = Math.floor(rows * 0.8);
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let t = 0; t < trainEnd; t++) m += raw[t * C + c]!;
    m /= trainEnd;
    let v = 0;
    for (let t = 0; t < trainEnd; t++) v += (raw[t * C + c]! - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(v / trainEnd));
  }
  const values = new Float32Array(rows * C);
  for (let t = 0; t < rows; t++) for (let c = 0; c < C; c++) values[t * C + c] = (raw[t * C + c]! - mean[c]!) / std[c]!;
  const dir = tmp('data');
  const valuesPath = path.join(dir, 'values.f32');
  writeFileSync(valuesPath, Buffer.from(values.buffer));
  let labelsPath: string | undefined;
  if (opts.labels) {
    labelsPath = path.join(dir, 'labels.u8');
    writeFileSync(labelsPath, Buffer.from(opts.labels));
  }
  const meta: PreparedMeta = {
    formatVersion: 1,
    rows,
    columns: Array.from({ length: C }, (_, i) => `s${i}`),
    target: `s${C - 1}`,
    frequencyMs: 3_600_000,
    start: '2020-01-01T00:00:00Z',
    end: '2020-02-01T00:00:00Z',
    splits: { train: [0, trainEnd], val: [trainEnd, valEnd], test: [valEnd, rows] },
    scaler: { mean, std },
    hasLabels: Boolean(opts.labels),
  };
  return { valuesPath, ...(labelsPath ? { labelsPath } : {}), meta, name: 'synthetic' };
}
