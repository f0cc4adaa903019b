/** export_model: a study's winning model (or any complete trial) as PyTorch code, weights, TorchScript and ONNX. */
import { z } from 'zod';
import { exportTrial } from '../engine/search/export.js';
import { conflictingArguments, defineTool } from './define.js';

export const exportModel = defineTool({
  name: 'export_model',
  title: 'Export a trained model',
  description:
    'Exports a study’s selected model (or trial N) as a directory: model.py, state_dict weights, TorchScript, ONNX, metadata.json ' +
    '(dataset, columns, scaler, lookback, horizon, metrics) and USAGE.md. A selected ensemble exports as one traced module ' +
    '(TorchScript, ONNX, metadata.json with its members and weights, USAGE.md). The files are also available as resources.',
  input: z.object({
    study: z.string().min(1).describe('Study id.'),
    trial: z.number().int().min(0).optional().describe('Trial number; default the study’s winner.'),
    out: z.string().min(1).optional().describe('Directory to write (CLI); default under $GENAUTOML_HOME/exports.'),
  }),
  output: z.object({
    study: z.string(),
    /** null when the selected model is the study's ensemble. */
    trial: z.number().int().nullable(),
    arch: z.string(),
    dir: z.string(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() })),
    roundTripOk: z.boolean(),
    errors: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  long: true,
  background: true,
  cli: { name: 'export', positional: ['study'], paths: ['out'] },
  async handler(args, ctx) {
    ctx.progress({ done: 0, total: 1, message: 'exporting' });
    // Only a local caller may choose where files are written on this host; elsewhere out is refused, not ignored.
    if (args.out !== undefined && ctx.origin !== 'cli') {
      throw conflictingArguments('export_model', 'out is only for the command line; a remote caller cannot choose where files are written on this host.', 'Leave out out: the export goes under $GENAUTOML_HOME/exports and its files come back as resources.');
    }
    const outDir = args.out;
    const r = await exportTrial(ctx.app, args.study, { admission: 'call', ...(args.trial === undefined ? {} : { trial: args.trial }), ...(outDir ? { outDir } : {}) });
    ctx.progress({ done: 1, total: 1, message: 'exported' });
    return {
      data: r,
      summary:
        `Exported ${r.arch} (${r.trial === null ? 'the ensemble' : `trial ${r.trial}`} of ${r.study}) to ${r.dir}: ${r.files.map((f) => f.name).join(', ')}.` +
        (r.roundTripOk ? ' Reloaded files reproduce the predictions.' : ` Round-trip check failed: ${r.errors.join('; ')}`),
      links: r.files.map((f) => ({ uri: `genautoml://artifacts/${f.sha256}`, name: f.name, description: `${r.arch} export: ${f.name}` })),
    };
  },
});
