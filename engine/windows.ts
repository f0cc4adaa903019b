/**
 * The input window L (lookback) and output length H (horizon): their defaults per task and their
 * bounds, in one place for every tool and engine path (search, benchmark, generate, validate).
 * A lookback under 4 steps leaves the zoo's smallest kernels and patches nothing to read.
 */
import { z } from 'zod';
import { GenAutoMLError } from './errors.js';
import type { Task } from './runner/types.js';

export const WINDOW_DEFAULTS: Record<Task, { lookback: number; horizon: number }> = {
  forecasting: { lookback: 96, horizon: 96 },
  anomaly: { lookback: 60, horizon: 10 },
};

export const lookbackSchema = z.number().int().min(4).max(10_000);
export const horizonSchema = z.number().int().min(1).max(10_000);

/** What the defaults are, for schema descriptions. */
export const LOOKBACK_DEFAULTS_TEXT = `default ${WINDOW_DEFAULTS.forecasting.lookback} for forecasting, ${WINDOW_DEFAULTS.anomaly.lookback} for anomaly`;
export const HORIZON_DEFAULTS_TEXT = `default ${WINDOW_DEFAULTS.forecasting.horizon} for forecasting, ${WINDOW_DEFAULTS.anomaly.horizon} for anomaly`;

/** The windows asked for, the task's defaults where none was given. */
export function windowsOf(task: Task, asked: { lookback?: number | undefined; horizon?: number | undefined }): { lookback: number; horizon: number } {
  const d = WINDOW_DEFAULTS[task];
  return { lookback: asked.lookback ?? d.lookback, horizon: asked.horizon ?? d.horizon };
}

/** The lookbacks a forecasting search chooses among when the request names none (the field's usual set). */
export const SEARCHED_LOOKBACKS = [96, 192, 336, 720] as const;

/**
 * Lookbacks searched by default: those of SEARCHED_LOOKBACKS whose training split holds at least
 * 4 x (L + H) training windows, so that even the longest window sees the series' variety several
 * times over; [] (the fixed default lookback) when fewer than two qualify or for anomaly studies.
 */
export function defaultLookbacks(task: Task, splits: { train: [number, number] }, horizon: number): number[] {
  if (task !== 'forecasting') return [];
  const trainRows = splits.train[1] - splits.train[0];
  const fit = SEARCHED_LOOKBACKS.filter((L) => trainRows - L - horizon + 1 >= 4 * (L + horizon));
  return fit.length >= 2 ? [...fit] : [];
}

/** The lookback and horizon must fit the dataset's splits (training windows, and a horizon in validation and test). */
export function checkWindows(splits: { train: [number, number]; val: [number, number]; test: [number, number] }, lookback: number, horizon: number): void {
  const trainRows = splits.train[1] - splits.train[0];
  const need = lookback + horizon;
  if (trainRows < need + 1) {
    throw new GenAutoMLError('search.dataset_too_short', `The training split has ${trainRows} rows; a lookback of ${lookback} plus a horizon of ${horizon} needs more than ${need}.`, {
      hint: 'Use a shorter lookback or horizon, or a longer dataset.',
    });
  }
  for (const [name, [a, b]] of [['validation', splits.val], ['test', splits.test]] as const) {
    if (b - a < horizon) {
      throw new GenAutoMLError('search.dataset_too_short', `The ${name} split has ${b - a} rows, fewer than the horizon ${horizon}.`, { hint: 'Use a shorter horizon or different split ratios.' });
    }
  }
}
