/** Export: a directory a user can load, written so that only the traced files come from model code. */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { GenAutoMLError } from '../../errors.js';
import { withOsErrors } from '../../ops/os-errors.js';
import { buildRecordSchema, metadataJson, usageMarkdown, type BuildRecord, type ExportFacts } from '../exportfiles.js';
import { checkTensorFile } from '../tensors.js';
import { exportResultSchema, modelDimsSchema, type ExportResult, type ExportSpec } from '../types.js';
import { modelFields, parseOrThrow, type OperationOptions, type StagedCall, type StagedResult, type StagedRunner } from './staged.js';
import { WEIGHTS_FILE } from './train.js';

/**
 * The export directory, written in four steps so that only two files come from code that ran
 * the model (model.torchscript.pt and model.onnx, produced by tracing it): (1) the model's
 * sandbox traces it and writes its build record; (2) a trusted runner that loads no model code
 * turns the host-checked raw tensors into weights.pt and writes the wrapper from the runner's
 * own source; (3) the host writes model.py, metadata.json and USAGE.md; (4) a fresh sandbox
 * reloads the finished directory as a user would and compares predictions.
 */
export async function exportModel(r: StagedRunner, spec: ExportSpec, options: OperationOptions = {}): Promise<ExportResult> {
  const outDir = path.resolve(spec.outDir);
  await withOsErrors('make the export directory', outDir, () => mkdir(outDir, { recursive: true }));
  if ((await readdir(outDir)).length > 0) {
    throw new GenAutoMLError('runner.export_exists', `export directory ${outDir} is not empty`, { hint: 'Export into a new directory.' });
  }
  checkTensorFile(await readFile(spec.weightsPath));
  const cap = r.fsizeMb('trial') * 1024 * 1024;
  const timeoutS = r.timeout('trial', options.timeoutS, 900);
  const base = { kind: 'trial' as const, timeoutS, gpu: false, ...(options.threads ? { threads: options.threads } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const common = r.common({ ...options, device: 'cpu' });
  const { traced, tracedData, build } = await traceExport(r, base, outDir, {
    what: 'export',
    // Only the first step may be refused as busy; once started, the export finishes.
    ...(options.admission ? { admission: options.admission } : {}),
    inputs: [spec.weightsPath],
    request: (paths, scratch) => ({ op: 'export', ...modelFields(spec), weightsPath: paths[0], outDir: scratch, opset: spec.opset ?? 17, ...common }),
  });
  const packed = await r.staged(
    {
      ...base,
      what: 'export (weights)',
      inputs: [spec.weightsPath],
      request: (paths, scratch) => ({ op: 'pack', weightsPath: paths[0], outDir: scratch, device: 'cpu', threads: 1 }),
      outputs: { dest: outDir, expected: [{ name: 'weights.pt', maxBytes: cap }, { name: 'genautoml_wrapper.py', maxBytes: 1024 * 1024 }] },
    },
    true,
  );
  const facts: ExportFacts = {
    dims: modelDimsSchema.parse(spec.dims),
    hyper: spec.hyper ?? {},
    revin: spec.revin ?? false,
    data: spec.data,
    metrics: spec.metrics ?? {},
    opset: spec.opset ?? 17,
    torch: parseOrThrow(packResultSchema, packed.data, 'export (weights)').torch,
    build,
  };
  const names = [...traced.files.filter((f) => f.name !== 'build.json'), ...packed.files].map((f) => f.name).concat(['model.py', 'metadata.json', 'USAGE.md']).sort();
  await withOsErrors('write the export', outDir, async () => {
    await writeFile(path.join(outDir, 'model.py'), spec.code, { flag: 'wx' });
    await writeFile(path.join(outDir, 'metadata.json'), metadataJson(facts), { flag: 'wx' });
    await writeFile(path.join(outDir, 'USAGE.md'), usageMarkdown(facts, names), { flag: 'wx' });
  });
  const shipped = names.filter((n) => n !== 'USAGE.md');
  const checked = await r.staged({
    ...base,
    what: 'export round trip',
    inputs: [...shipped.map((name) => ({ name, from: path.join(outDir, name) })), { name: WEIGHTS_FILE, from: spec.weightsPath }],
    request: (paths) => ({ op: 'export_check', ...modelFields(spec), exportDir: path.dirname(paths[0]!), weightsPath: paths[paths.length - 1], ...common }),
  });
  return exportResultOf(outDir, names, tracedData, parseOrThrow(exportCheckSchema, checked.data, 'export round trip'), traced.sandboxed && checked.sandboxed);
}

/**
 * Step one of an export: the sandbox that runs the model traces it into model.torchscript.pt and
 * model.onnx (copied out under those names, size-capped) and writes its build record, which is
 * parsed here and removed from the directory.
 */
export async function traceExport(
  r: StagedRunner,
  base: Omit<StagedCall, 'what' | 'inputs' | 'request'>,
  outDir: string,
  call: Pick<StagedCall, 'what' | 'inputs' | 'request' | 'admission'>,
): Promise<{ traced: StagedResult; tracedData: z.infer<typeof exportTraceSchema>; build: BuildRecord }> {
  const cap = r.fsizeMb('trial') * 1024 * 1024;
  const traced = await r.staged({
    ...base,
    ...call,
    outputs: {
      dest: outDir,
      expected: [
        { name: 'model.torchscript.pt', maxBytes: cap, optional: true },
        { name: 'model.onnx', maxBytes: cap, optional: true },
        { name: 'build.json', maxBytes: 1024 * 1024 },
      ],
    },
  });
  const tracedData = parseOrThrow(exportTraceSchema, traced.data, call.what);
  const buildPath = path.join(outDir, 'build.json');
  const build = buildRecordSchema.safeParse(JSON.parse(await readFile(buildPath, 'utf8').catch(() => 'null')));
  await rm(buildPath, { force: true });
  if (!build.success) throw new GenAutoMLError('runner.bad_output', `the ${call.what}'s build record was refused: ${build.error.message.slice(0, 500)}`);
  return { traced, tracedData, build: build.data };
}

/** The result of an export: the shipped files' sizes and the round trip's numbers and verdict. */
export async function exportResultOf(
  outDir: string,
  names: string[],
  traced: z.infer<typeof exportTraceSchema>,
  rt: z.infer<typeof exportCheckSchema>,
  sandboxed: boolean,
): Promise<ExportResult> {
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: (await stat(path.join(outDir, name))).size })));
  return exportResultSchema.parse({
    dir: outDir,
    files,
    roundTrip: {
      stateDictMaxAbsDiff: rt.stateDictMaxAbsDiff,
      torchscriptMaxAbsDiff: rt.torchscriptMaxAbsDiff,
      onnxMaxAbsDiff: rt.onnxMaxAbsDiff,
      torchscriptMode: traced.torchscriptMode,
      onnxChecked: rt.onnxChecked,
      ok: rt.ok,
    },
    errors: [...traced.errors, ...rt.errors].slice(0, 20),
    sandboxed,
  });
}

export const exportTraceSchema = z.object({ torchscriptMode: z.enum(['trace', 'script']).nullable(), errors: z.array(z.string().max(5000)).max(20) });
export const packResultSchema = z.object({ torch: z.string().max(100) });
export const exportCheckSchema = z.object({
  stateDictMaxAbsDiff: z.number().nullable(),
  torchscriptMaxAbsDiff: z.number().nullable(),
  onnxMaxAbsDiff: z.number().nullable(),
  onnxChecked: z.boolean(),
  ok: z.boolean(),
  errors: z.array(z.string().max(5000)).max(20),
});
