/** Small synthetic datasets for tests: seasonal sines with noise and a trend, deterministic. */
import type { App } from '../../engine/app.js';
import { prepareFromSource } from '../../engine/data/index.js';
import { saveDataset } from '../../engine/datasets/store.js';

export function syntheticCsv(options: { rows?: number; features?: number; period?: number; seed?: number } = {}): string {
  const rows = options.rows ?? 600;
  const features = options.features ?? 3;
  const period = options.period ?? 24;
  let s = options.seed ?? 1;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const header = ['date', ...Array.from({ length: features }, (_, j) => `f${j}`)].join(',');
  const lines = [header];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < rows; i++) {
    const t = new Date(start + i * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    const vals = Array.from({ length: features }, (_, j) => (10 + j + 3 * Math.sin((2 * Math.PI * (i + 3 * j)) / period) + 0.002 * i + 0.2 * rand()).toFixed(4));
    lines.push([t, ...vals].join(','));
  }
  return lines.join('\n') + '\n';
}

export async function loadSynthetic(app: App, options: Parameters<typeof syntheticCsv>[0] = {}): Promise<string> {
  const csv = syntheticCsv(options);
  const result = await prepareFromSource(
    { kind: 'inline', content: Buffer.from(csv).toString('base64'), name: 'synthetic.csv' },
    {},
    { allowedDirs: [], maxBytes: 10_000_000, urlTimeoutMs: 1000 },
  );
  return (await saveDataset(app, result, { kind: 'inline', name: 'synthetic.csv' })).id;
}
