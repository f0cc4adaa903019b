/**
 * A synthetic multivariate series for demos and tests (the reference datasets are not shipped):
 * hourly sensor-like channels with a daily and a weekly cycle, a slow trend, cross-channel
 * coupling and noise. Deterministic for a given seed.
 */
export interface SyntheticOptions {
  rows?: number;
  features?: number;
  /** Main period in rows (default 24: daily on an hourly grid). */
  period?: number;
  seed?: number;
  /** Grid step in milliseconds (default one hour). */
  stepMs?: number;
  start?: number;
}

export function syntheticCsv(options: SyntheticOptions = {}): string {
  const rows = options.rows ?? 2000;
  const features = options.features ?? 4;
  const period = options.period ?? 24;
  const step = options.stepMs ?? 3_600_000;
  const start = options.start ?? Date.UTC(2024, 0, 1);
  let s = (options.seed ?? 1) >>> 0 || 1;
  // xorshift32: tiny, fast and reproducible across platforms.
  const rand = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296 - 0.5;
  };
  const names = Array.from({ length: features }, (_, j) => (j === features - 1 ? 'target' : `sensor_${j + 1}`));
  const lines = [['timestamp', ...names].join(',')];
  let drift = 0;
  for (let i = 0; i < rows; i++) {
    drift += 0.02 * rand();
    const daily = Math.sin((2 * Math.PI * i) / period);
    const weekly = Math.sin((2 * Math.PI * i) / (period * 7));
    const values: number[] = [];
    for (let j = 0; j < features; j++) {
      const phase = (2 * Math.PI * j) / Math.max(features, 1);
      const own = (2 + j) * Math.sin((2 * Math.PI * i) / period + phase) + 0.8 * weekly + 0.001 * (j + 1) * i + drift;
      // The target follows the first channels with a lag, so multivariate models have something to use.
      const coupled = j === features - 1 ? 0.5 * (values[0] ?? 0) + 1.5 * daily : 0;
      values.push(10 * (j + 1) + own + coupled + 0.3 * rand());
    }
    lines.push([new Date(start + i * step).toISOString(), ...values.map((v) => v.toFixed(4))].join(','));
  }
  return lines.join('\n') + '\n';
}
