/** list_datasets: the stored datasets, newest first. Read-only. */
import { z } from 'zod';
import { formatCalendar } from '../engine/data/frequency.js';
import { defineTool } from './define.js';
import { cursorSchema, page } from './paging.js';

const datasetRow = z.object({
  id: z.string().describe('Dataset id, used by every other tool.'),
  name: z.string(),
  rows: z.number().int().describe('Rows on the regular grid after preparation.'),
  columns: z.array(z.string()).describe('Feature columns, in stored order.'),
  frequency: z.string().nullable().describe('Grid interval such as "1h", "10min" or, for calendar grids, "1mo", "1q", "1y", "1b" (business days); null when the series has no regular grid.'),
  created: z.string().describe('When it was loaded (ISO 8601).'),
});

export const listDatasets = defineTool({
  name: 'list_datasets',
  title: 'List datasets',
  description: 'Lists the stored datasets (id, name, rows, columns, frequency, creation time), newest first, a page at a time.',
  input: z.object({
    limit: z.number().int().min(1).max(200).default(50).describe('Datasets per page (default 50).'),
    cursor: cursorSchema,
  }),
  output: z.object({ datasets: z.array(datasetRow), total: z.number().int(), nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last.') }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { positional: [] },
  async handler(args, ctx) {
    const all = await ctx.app.datasets.list();
    const { items: shown, offset, nextCursor } = page('datasets', all, args.cursor, args.limit);
    const datasets = shown.map((d) => ({
      id: d.id,
      name: d.name,
      rows: d.meta.rows,
      columns: d.meta.columns,
      frequency: d.meta.calendar ? formatCalendar(d.meta.calendar) : d.meta.frequencyMs === null ? null : formatInterval(d.meta.frequencyMs),
      created: d.createdAt.toISOString(),
    }));
    const summary =
      all.length === 0
        ? 'No datasets stored yet. Load one with load_dataset.'
        : `${all.length} dataset${all.length === 1 ? '' : 's'} stored${shown.length < all.length ? ` (showing ${offset + 1}–${offset + shown.length}${nextCursor ? '; more with nextCursor' : ''})` : ''}.`;
    return { data: { datasets, total: all.length, nextCursor }, summary };
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
