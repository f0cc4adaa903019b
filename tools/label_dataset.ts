/**
 * label_dataset: anomaly labels for a dataset that is already stored, from a file of incident
 * windows. The result is a new dataset sharing the stored arrays: studies run on the original
 * keep the data they were scored on.
 */
import { z } from 'zod';
import { labelsFromWindows, readLabelWindows, splitLabelCounts } from '../engine/data/label-windows.js';
import { limitsFromConfig } from '../engine/data/sources.js';
import { loadPrepared, saveRelabelled } from '../engine/datasets/store.js';
import { defineTool } from './define.js';
import { labelLine } from './load_dataset.js';

const counts = z.object({ rows: z.number().int(), events: z.number().int() });

export const labelDataset = defineTool({
  name: 'label_dataset',
  title: 'Label a dataset',
  description:
    'Adds anomaly labels to a stored dataset from a file of incident windows (CSV start,end; JSON [[start, end], …] or NAB-style ' +
    '{"file.csv": [[start, end], …]}), as a new dataset sharing the same data; rows whose time lies in a window are labelled 1. ' +
    'Returns the new dataset id and the labelled rows and events per split.',
  input: z.object({
    dataset: z.string().min(1).describe('Dataset id from load_dataset.'),
    labelWindows: z.string().min(1).describe('The windows file: a path in the allowed data directories (CLI: relative to where you are), or an http(s) URL.'),
    name: z.string().min(1).max(200).optional().describe('Name of the labelled dataset; default the original name + " (labelled)".'),
  }),
  output: z.object({
    id: z.string(),
    name: z.string(),
    from: z.string(),
    labels: z.object({
      source: z.literal('windows'),
      windows: z.object({ count: z.number().int(), outside: z.number().int(), key: z.string().optional() }),
      train: counts,
      val: counts,
      test: counts,
    }),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  cli: { name: 'label', positional: ['dataset', 'labelWindows'], paths: ['labelWindows'] },
  async handler(args, ctx) {
    const { record, dataset } = await loadPrepared(ctx.app, args.dataset);
    const limits = limitsFromConfig(ctx.app.config);
    // As for load_dataset: the local user may name any file; remote callers stay in the data directories.
    if (ctx.origin === 'cli') limits.allowedDirs = ['/'];
    const sourceName = typeof record.source.path === 'string' ? record.source.path : record.name;
    const windows = await readLabelWindows(args.labelWindows, limits, sourceName);
    const { labels, outside } = labelsFromWindows(dataset.times, windows.windows);
    const summaryLabels = {
      source: 'windows' as const,
      windows: { count: windows.windows.length, outside, ...(windows.key ? { key: windows.key } : {}) },
      ...splitLabelCounts(labels, dataset.meta.splits),
    };
    const warnings = [
      ...(dataset.labels ? [`${record.id} already had labels (${record.summary.labelColumn ? `column ${String(record.summary.labelColumn)}` : 'from windows'}); the new dataset has only the windows' labels.`] : []),
      ...(outside > 0 ? [`${outside} of ${windows.windows.length} label window(s) cover no row of the data (outside its span, or in a gap between rows).`] : []),
    ];
    const saved = await saveRelabelled(ctx.app, record, labels, summaryLabels, warnings, args.name);
    return {
      data: { id: saved.id, name: saved.name, from: record.id, labels: summaryLabels, warnings },
      summary: [`Labelled ${record.name} as ${saved.id} (${saved.name}); ${record.id} is unchanged.`, labelLine(summaryLabels), ...warnings.map((w) => `Warning: ${w}`)].join('\n'),
      links: [{ uri: `genautoml://datasets/${saved.id}`, name: saved.name, mimeType: 'application/json', description: 'Dataset metadata and summary' }],
    };
  },
});
