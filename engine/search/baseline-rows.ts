/**
 * Anomaly leaderboards list the simple detectors (engine/anomaly/baselines.ts) after the models,
 * scored on the same rows with the same faults and threshold rule, so a reader sees at once
 * whether a deep model earns its place. They never take part in selection.
 */
import { anomalyBaselines } from '../anomaly/board.js';
import type { PreparedMeta } from '../data/prepared.js';
import type { LeaderboardRow } from './result.js';

export async function withAnomalyBaselines(rows: LeaderboardRow[], data: { valuesPath: string; labelsPath?: string; meta: PreparedMeta }, seed: number): Promise<LeaderboardRow[]> {
  const found = await anomalyBaselines(data, { seed });
  const extra = found.map(
    (b, i): LeaderboardRow => ({
      rank: rows.length + i + 1,
      arch: b.name,
      trial: -1,
      // No validation loss: a baseline is not ranked with the models, only shown beside them.
      valLoss: Number.NaN,
      params: {},
      modelParams: b.fitted,
      trainTimeS: b.timeS,
      test: b.metrics,
      latency: null,
      error: null,
      simpleBaseline: true,
    }),
  );
  return [...rows, ...extra];
}
