/** Lookback searched by default: which of the usual lookbacks a dataset's training split can carry. */
import { describe, expect, it } from 'vitest';
import { defaultLookbacks } from '../../../engine/windows.js';

const train = (rows: number): { train: [number, number] } => ({ train: [0, rows] });

describe('default lookbacks', () => {
  it('takes every usual lookback on ETTh1 at horizon 96 (8545 training rows)', () => {
    expect(defaultLookbacks('forecasting', train(8545), 96)).toEqual([96, 192, 336, 720]);
  });

  it('keeps only those with at least 4 x (L + H) training windows', () => {
    // L = 336, H = 96: 4 x 432 = 1728 windows need 1728 + 431 = 2159 rows.
    expect(defaultLookbacks('forecasting', train(2159), 96)).toEqual([96, 192, 336]);
    expect(defaultLookbacks('forecasting', train(2158), 96)).toEqual([96, 192]);
  });

  it('searches nothing (the fixed default) when fewer than two fit, and never for anomaly detection', () => {
    expect(defaultLookbacks('forecasting', train(1000), 96)).toEqual([]);
    expect(defaultLookbacks('anomaly', train(8545), 10)).toEqual([]);
  });
});
