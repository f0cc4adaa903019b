/**
 * label_dataset: anomaly labels for a dataset that is already stored, from a file of incident
 * windows. The result is a new dataset sharing the stored arrays: studies run on the original
 * keep the data they were scored on.
 */
import { z } from 'zod';
import { applyLabelWindows, describeLabels, labelSummarySchema, readLabelWindows } from '../engine/data/label-windows.js';
import { limitsFromConfig } from '../engine/data/sources.js';
import { loadTimes, saveRelabelled } from '../engine/datasets/store.js';
import { defineTool } from './define.js';

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
  output: z.object({ id: z.string(), name: z.string(), from: z.string(), labels: labelSummarySchema, warnings: z.array(z.string()) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  cli: { name: 'label', positional: ['dataset', 'labelWindows'], paths: ['labelWindows'] },
  async handler(args, ctx) {
    const { record, times } = await loadTimes(ctx.app, args.dataset);
    const limits = limitsFromConfig(ctx.app.config);
    // As for load_dataset: the local user may name any file; remote callers stay in the data directories.
    if (ctx.origin === 'cli') limits.allowedDirs = ['/'];
    const sourceName = typeof record.source.path === 'string' ? record.source.path : record.name;
    const windows = await readLabelWindows(args.labelWindows, limits, sourceName);
    const applied = applyLabelWindows(times, record.meta.splits, windows);
    const warnings = [
      ...(record.meta.hasLabels ? [`${record.id} already had labels (${record.summary.labelColumn ? `column ${String(record.summary.labelColumn)}` : 'from windows'}); the new dataset has only the windows' labels.`] : []),
      ...applied.warnings,
    ];
    const saved = await saveRelabelled(ctx.app, record, applied.labels, applied.summary, warnings, args.name);
    return {
      data: { id: saved.id, name: saved.name, from: record.id, labels: applied.summary, warnings },
      summary: [`Labelled ${record.name} as ${saved.id} (${saved.name}); ${record.id} is unchanged.`, describeLabels(applied.summary), ...warnings.map((w) => `Warning: ${w}`)].join('\n'),
      links: [{ uri: `genautoml://datasets/${saved.id}`, name: saved.name, mimeType: 'application/json', description: 'Dataset metadata and summary' }],
    };
  },
});
