/** list_datasets: the stored datasets, newest first. Read-only. */
import { z } from 'zod';
import { defineTool } from './define.js';

const datasetRow = z.object({
  id: z.string().describe('Dataset id, used by every other tool.'),
  name: z.string(),
  rows: z.number().int().describe('Rows on the regular grid after preparation.'),
  columns: z.array(z.string()).describe('Feature columns, in stored order.'),
  frequency: z.string().nullable().describe('Grid interval such as "1h" or "10min"; null when the series has no regular grid.'),
  created: z.string().describe('When it was loaded (ISO 8601).'),
});

export const listDatasets = defineTool({
  name: 'list_datasets',
  title: 'List datasets',
  description: 'Lists the stored datasets (id, name, rows, columns, frequency, creation time), newest first.',
  input: z.object({
    limit: z.number().int().min(1).max(1000).optional().describe('Return at most this many datasets.'),
  }),
  output: z.object({ datasets: z.array(datasetRow), total: z.number().int() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { positional: [] },
  async handler(args, ctx) {
    const all = await ctx.app.datasets.list();
    const shown = args.limit === undefined ? all : all.slice(0, args.limit);
    const datasets = shown.map((d) => ({
      id: d.id,
      name: d.name,
      rows: d.meta.rows,
      columns: d.meta.columns,
      frequency: d.meta.frequencyMs === null ? null : formatInterval(d.meta.frequencyMs),
      created: d.createdAt.toISOString(),
    }));
    const summary =
      all.length === 0
        ? 'No datasets stored yet. Load one with load_dataset.'
        : `${all.length} dataset${all.length === 1 ? '' : 's'} stored${shown.length < all.length ? ` (showing ${shown.length})` : ''}.`;
    return { data: { datasets, total: all.length }, summary };
  },
});

const UNITS: [number, string][] = [
  [7 * 86_400_000, 'w'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
  [1, 'ms'],
];

/** The largest unit that divides the interval exactly, so "90min" stays exact instead of "1.5h". */
export function formatInterval(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
