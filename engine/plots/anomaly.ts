/**
 * Anomaly score over time: the detector's per-row score on the test rows (downsampled), the
 * labelled windows shaded behind it, and the alarm threshold (chosen on validation) as a rule, so
 * a reader sees what was flagged, what was missed and how far the threshold is from both.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface AnomalyScoreInput {
  title: string;
  /** Row positions (test-row offsets) of the kept points, ascending. */
  x: number[];
  scores: number[];
  /** Labelled windows as inclusive [start, end] test-row offsets. */
  windows: Array<[number, number]>;
  threshold: number | null;
  width?: number;
  height?: number;
}

export function anomalyScoreSpec(input: AnomalyScoreInput): TopLevelSpec {
  const x = { field: 't', type: 'quantitative' as const, title: 'test row', scale: { zero: false, nice: false } };
  // Squared errors are heavy-tailed: a symmetric-log axis keeps both the noise floor and the peaks visible.
  const y = { field: 'v', type: 'quantitative' as const, title: 'anomaly score', scale: { type: 'symlog' as const } };
  const layer: object[] = [];
  if (input.windows.length > 0) {
    layer.push({
      data: { values: input.windows.map(([a, b]) => ({ a, b: b + 1 })) },
      mark: { type: 'rect', color: '#f5b041', opacity: 0.35 },
      encoding: { x: { field: 'a', type: 'quantitative' }, x2: { field: 'b' } },
    });
  }
  layer.push({
    data: { values: input.x.map((t, i) => ({ t, v: input.scores[i] ?? null })) },
    mark: { type: 'line', strokeWidth: 0.9, color: '#1f5f99' },
    encoding: { x, y },
  });
  if (input.threshold !== null && Number.isFinite(input.threshold)) {
    layer.push({ data: { values: [{ v: input.threshold }] }, mark: { type: 'rule', color: '#c0392b', strokeDash: [5, 3] }, encoding: { y: { field: 'v', type: 'quantitative' } } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, subtitle: 'shaded: labelled windows · dashed: threshold chosen on validation' },
    width: input.width ?? 900,
    height: input.height ?? 220,
    layer,
  } as TopLevelSpec;
}
