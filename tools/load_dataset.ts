/** load_dataset: a CSV or Parquet file (path, URL or inline upload) → a prepared, stored dataset. */
import { z } from 'zod';
import { prepareFromSource, prepareOptionsSchema, type DataSource } from '../engine/data/index.js';
import { describeLabels, labelSummarySchema, readLabelWindows } from '../engine/data/label-windows.js';
import { limitsFromConfig } from '../engine/data/sources.js';
import { saveDataset } from '../engine/datasets/store.js';
import { GenAutoMLError } from '../engine/errors.js';
import { defineTool } from './define.js';

const input = prepareOptionsSchema.omit({ split: true }).extend({
  path: z.string().min(1).optional().describe('File inside the allowed data directories (GENAUTOML_DATA_DIRS).'),
  url: z.url({ protocol: /^https?$/ }).optional().describe('http(s) URL to download (size-capped).'),
  content: z.string().min(1).optional().describe('The file itself, base64-encoded (a chat upload).'),
  name: z.string().min(1).max(200).optional().describe('Name to store the dataset under; default the file name.'),
  labelWindows: z
    .string()
    .min(1)
    .optional()
    .describe('Anomaly labels as a file of incident windows (path like `path`, or an http(s) URL): CSV start,end per line, or JSON [[start, end], …], [{"start", "end"}] or NAB-style {"file.csv": [[start, end], …]}. Rows inside a window are labelled 1.'),
  split: z
    .union([z.literal('ett'), z.string().regex(/^\d*\.?\d+\/\d*\.?\d+\/\d*\.?\d+$/)])
    .optional()
    .describe('Chronological split: "0.7/0.1/0.2" (the default) or "ett" (12/4/4 months of 30 days).'),
});

const splitOut = z.object({ rows: z.number().int(), start: z.string().optional(), end: z.string().optional() });

const output = z.object({
  id: z.string(),
  name: z.string(),
  rows: z.number().int(),
  sourceRows: z.number().int(),
  columns: z.array(z.string()),
  target: z.string(),
  frequency: z.string(),
  regular: z.boolean(),
  span: z.object({ start: z.string(), end: z.string(), text: z.string() }),
  gaps: z.object({ count: z.number().int(), missingRows: z.number().int() }),
  missing: z.record(z.string(), z.object({ missing: z.number().int(), filled: z.number().int(), remaining: z.number().int() })),
  duplicates: z.number().int(),
  sorted: z.boolean(),
  dropped: z.array(z.object({ name: z.string(), reason: z.string() })),
  splits: z.object({ protocol: z.string(), train: splitOut, val: splitOut, test: splitOut }),
  labels: labelSummarySchema
    .nullable()
    .describe('Anomaly labels: where they came from and the labelled rows and events (runs of labelled rows) in each split; null when unlabelled.'),
  layout: z.enum(['wide', 'long']),
  long: z.object({ idColumns: z.array(z.string()), valueColumns: z.array(z.string()), series: z.number().int(), note: z.string() }).optional(),
  warnings: z.array(z.string()),
});

function sourceOf(args: { path?: string | undefined; url?: string | undefined; content?: string | undefined; name?: string | undefined }): DataSource {
  const given = [args.path, args.url, args.content].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new GenAutoMLError('tool.invalid_arguments', given === 0 ? 'No file given.' : 'Give only one of path, url and content.', {
      hint: 'Pass path (a file in the data directories), url (http/https), or content (base64 of the file).',
    });
  }
  if (args.path !== undefined) return { kind: 'path', path: args.path };
  if (args.url !== undefined) return { kind: 'url', url: args.url };
  return { kind: 'inline', content: args.content as string, ...(args.name ? { name: args.name } : {}) };
}

export const loadDataset = defineTool({
  name: 'load_dataset',
  title: 'Load a dataset',
  description:
    'Loads a time series from CSV, JSON or Parquet (a path in the allowed data directories, an http(s) URL, or base64 content), ' +
    'detects the timestamp and numeric columns, pivots long tables (one row per series and time) to one feature per series, puts it on a regular (also calendar: month, quarter, year) grid, splits it chronologically (train/val/test), fills ' +
    'missing values without looking ahead outside the training split, z-scores it with training statistics, and stores it. ' +
    'Returns the dataset id used by every other tool and a summary (rows, columns, frequency, gaps, warnings).',
  input,
  output,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  // A large file (or a URL) takes a while to read and prepare, and the first call of a fresh
  // server may arrive while its database is still opening: neither may hold the request.
  long: true,
  background: true,
  cli: { name: 'load', positional: ['path'], paths: ['path', 'labelWindows'] },
  async handler(args, ctx) {
    const { path: _p, url: _u, content: _c, name, split, labelWindows: windowsAt, ...options } = args;
    const source = sourceOf(args);
    ctx.progress({ done: 0, total: 2, message: 'reading and preparing' });
    const splitOption = split === undefined ? undefined : split === 'ett' ? ('ett' as const) : ratios(split);
    const limits = limitsFromConfig(ctx.app.config);
    // The CLI runs as the local user, who can read any file they name anyway; the data-directory
    // fence protects the server from remote callers (MCP clients, chat users).
    if (ctx.origin === 'cli') limits.allowedDirs = ['/'];
    const windows = windowsAt === undefined ? undefined : await readLabelWindows(windowsAt, limits, args.path ?? args.url ?? name);
    const result = await prepareFromSource(source, { ...options, ...(splitOption ? { split: splitOption } : {}) }, limits, windows);
    ctx.progress({ done: 1, total: 2, message: 'storing' });
    const sourceInfo = source.kind === 'inline' ? { kind: 'inline', name: result.source.name } : source;
    const record = await saveDataset(ctx.app, result, sourceInfo, name);
    ctx.progress({ done: 2, total: 2, message: 'stored' });
    const s = result.summary;
    const data = {
      id: record.id,
      name: record.name,
      rows: s.rows,
      sourceRows: s.sourceRows,
      columns: s.columns,
      target: s.target,
      frequency: s.frequency.text,
      regular: s.frequency.regular,
      span: s.span,
      gaps: { count: s.gaps.count, missingRows: s.gaps.missingRows },
      missing: s.missing,
      duplicates: s.duplicates,
      sorted: s.sorted,
      dropped: s.dropped,
      splits: { protocol: s.splits.protocol, train: s.splits.train, val: s.splits.val, test: s.splits.test },
      labels: s.labels ?? null,
      layout: s.layout,
      ...(s.long ? { long: s.long } : {}),
      warnings: s.warnings,
    };
    const lines = [
      `Loaded ${record.name} as ${record.id}: ${s.rows.toLocaleString('en-US')} rows × ${s.columns.length} features (${s.columns.join(', ')}), every ${s.frequency.text}, ${s.span.text}.`,
      ...(s.long ? [s.long.note] : []),
      `Target: ${s.target}. Split (${s.splits.protocol}): train ${s.splits.train.rows}, validation ${s.splits.val.rows}, test ${s.splits.test.rows} rows.`,
      ...(s.labels ? [describeLabels(s.labels)] : []),
      ...(s.gaps.count > 0 ? [`Gaps: ${s.gaps.count} (${s.gaps.missingRows} missing rows).`] : []),
      ...s.warnings.map((w) => `Warning: ${w}`),
    ];
    return {
      data,
      summary: lines.join('\n'),
      links: [{ uri: `genautoml://datasets/${record.id}`, name: record.name, mimeType: 'application/json', description: 'Dataset metadata and summary' }],
    };
  },
});

function ratios(text: string): { train: number; val: number; test: number } {
  const [train, val, test] = text.split('/').map(Number) as [number, number, number];
  return { train, val, test };
}
