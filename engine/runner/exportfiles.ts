/**
 * The host-written files of an export: metadata.json and USAGE.md, from templates and from
 * values the host holds or has parsed (the build record is data from the sandbox, checked here
 * field by field). The sandbox never writes these, nor model.py, nor the wrapper.
 */
import { z } from 'zod';
import type { PreparedMeta } from '../data/prepared.js';
import { scalarSchema, type ModelDims, type RevinOption, type Scalar } from './types.js';

const ADAPTER_KINDS = ['none', 'transpose', 'reshape', 'channel', 'time', 'transpose_time', 'flatten'] as const;

/** How the runner built the model (constructor arguments, projection head): what the wrapper rebuilds. */
export const buildRecordSchema = z.object({
  constructor: z.record(z.string().max(200), z.union([scalarSchema, z.object({ namespace: z.record(z.string().max(200), scalarSchema) })])),
  projection: z.object({ kind: z.enum(ADAPTER_KINDS), detail: z.string().max(2000) }).nullable(),
  outputShape: z.array(z.number().int().nonnegative()).min(2).max(16),
  params: z.number().int().nonnegative(),
  /** Extra inputs after x (inputs.py: cycle_index, calendar), as the runner describes them. */
  inputs: z.array(z.record(z.string().max(100), z.union([scalarSchema, z.array(z.union([z.string().max(100), z.number()])).max(20)]))).max(10).default([]),
});
export type BuildRecord = z.infer<typeof buildRecordSchema>;

export interface ExportFacts {
  dims: ModelDims;
  hyper: Record<string, Scalar>;
  revin: RevinOption;
  data: { name?: string; meta: PreparedMeta };
  metrics: Record<string, unknown>;
  opset: number;
  torch: string;
  build: BuildRecord;
}

/** What every metadata.json says of the shapes and the data (columns, target, scaler). */
function shapeAndData(dims: ModelDims, data: { name?: string; meta: PreparedMeta }): Record<string, unknown> {
  const m = data.meta;
  return {
    dataset: data.name ?? null,
    task: dims.task,
    lookback: dims.lookback,
    horizon: dims.horizon,
    nFeatures: dims.nFeatures,
    columns: m.columns,
    target: m.target ?? null,
    frequencyMs: m.frequencyMs ?? null,
    scaler: m.scaler,
  };
}

/** How to run the traced artefacts, the same for a model and an ensemble. */
const TRACED_USAGE = `## TorchScript (no source needed)

\`\`\`python
import torch
model = torch.jit.load("model.torchscript.pt")
y = model(x)
\`\`\`

## ONNX

\`\`\`python
import onnxruntime as ort
sess = ort.InferenceSession("model.onnx")
y = sess.run(None, {"x": x.numpy()})[0]
\`\`\``;

export function metadataJson(f: ExportFacts): string {
  return JSON.stringify(
    {
      format: 'genautoml-model/1',
      name: 'model',
      ...shapeAndData(f.dims, f.data),
      metrics: f.metrics,
      params: f.build.params,
      build: { constructor: f.build.constructor, hyper: f.hyper, revin: f.revin, projection: f.build.projection, outputShape: f.build.outputShape, inputs: f.build.inputs },
      torch: f.torch,
      onnxOpset: f.opset,
    },
    null,
    2,
  );
}

export function usageMarkdown(f: ExportFacts, files: string[]): string {
  const { lookback: L, horizon: H, nFeatures: C, task } = f.dims;
  return `# model

Trained by genautoml on \`${f.data.name ?? 'a dataset'}\` (${task}, lookback ${L}, horizon ${H}, ${C} features).

Inputs are **z-scored** with the training statistics in \`metadata.json\` (\`scaler.mean\`,
\`scaler.std\`, one per column in \`columns\` order); outputs are in the same scaled units. To get
original units: \`y * std + mean\`.

Shapes: input \`(batch, ${L}, ${C})\` float32, output \`(batch, ${H}, ${C})\`.

## Read this first: \`model.py\` is untrusted code

\`model.py\` was written by an LLM or by whoever submitted it, and genautoml ran it only inside a
sandbox. Importing it (which \`genautoml_wrapper.py\` does) runs that code with **your**
permissions. \`model.torchscript.pt\` is a TorchScript program produced from the same code.
Review \`model.py\` before you import it, or run it in a sandbox, for example:

\`\`\`sh
bwrap --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin \\
  --ro-bind "$PWD" /model --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent \\
  --new-session --cap-drop ALL --chdir /model python3 -c 'from genautoml_wrapper import load_model; load_model(".")'
\`\`\`

(or a container with no network and a read-only mount of this directory). The ONNX file needs no
Python code from this directory: \`onnxruntime\` runs the graph.

\`weights.pt\` holds plain tensors only (written by genautoml's own code, not by the model) and
loads with \`torch.load(..., weights_only=True)\` (torch 1.13 or newer); never load it without
\`weights_only=True\`.

## PyTorch (source + weights)

\`\`\`python
import sys; sys.path.insert(0, "path/to/this/dir")
from genautoml_wrapper import load_model   # imports model.py: see above
model = load_model("path/to/this/dir")
y = model(x)
\`\`\`

${TRACED_USAGE}

Files: ${files.join(', ')}.
${extraInputs(f)}`;
}

function extraInputs(f: ExportFacts): string {
  return extraInputsOf(f.build.inputs);
}

function extraInputsOf(inputs: BuildRecord['inputs']): string {
  const names = inputs.map((i) => String(i['name']));
  if (names.length === 0) return '';
  return (
    '\n## Extra inputs\n\nAfter `x`, every artefact takes ' +
    names.map((n) => `\`${n}\``).join(', ') +
    ' (ONNX inputs of the same names), as described in `metadata.json`: `cycle_index` (`cycle_index_<period>` in an ensemble whose members cycle with different periods) is the' +
    " position of each window's first input row in the cycle, an int64 `(batch,)` in [0, period); `calendar` is" +
    " `(batch, lookback, 6)` float32 calendar features of the input rows' UTC timestamps, each scaled to [-0.5, 0.5]" +
    ' (minute of hour, hour of day, day of week, day of month, day of year, month of year).\n'
  );
}

/** What the host knows of an ensemble export (members and weights are its own choice). */
export interface EnsembleExportFacts {
  dims: ModelDims;
  data: { name?: string; meta: PreparedMeta };
  metrics: Record<string, unknown>;
  opset: number;
  inputs: BuildRecord['inputs'];
  members: Array<{ arch: string; trial: number; weight: number; lookback: number }>;
}

export function ensembleMetadataJson(f: EnsembleExportFacts): string {
  return JSON.stringify(
    {
      format: 'genautoml-ensemble/1',
      name: 'ensemble',
      ...shapeAndData(f.dims, f.data),
      metrics: f.metrics,
      members: f.members,
      inputs: f.inputs,
      onnxOpset: f.opset,
    },
    null,
    2,
  );
}

export function ensembleUsageMarkdown(f: EnsembleExportFacts, files: string[]): string {
  const { lookback: L, horizon: H, nFeatures: C, task } = f.dims;
  const members = f.members.map((x) => `| ${x.arch} | ${x.trial} | ${x.lookback} | ${x.weight.toFixed(4)} |`).join('\n');
  return `# ensemble

A weighted ensemble trained by genautoml on \`${f.data.name ?? 'a dataset'}\` (${task}, lookback ${L},
horizon ${H}, ${C} features): \`y = sum_i weight_i * member_i(x[:, -lookback_i:])\`, the weights chosen
by greedy forward selection on the validation split only.

| member | trial | lookback | weight |
| --- | --- | --- | --- |
${members}

Inputs are **z-scored** with the training statistics in \`metadata.json\` (\`scaler.mean\`,
\`scaler.std\`, one per column in \`columns\` order); outputs are in the same scaled units. To get
original units: \`y * std + mean\`. Shapes: input \`(batch, ${L}, ${C})\` float32, output \`(batch, ${H}, ${C})\`.

The ensemble ships as one traced module. \`model.torchscript.pt\` is a TorchScript program produced
from the members' code, which genautoml ran only inside a sandbox; the ONNX file needs no Python code.
Each member's source and plain-tensor weights come with its own export (\`export\` with \`trial=N\`).

${TRACED_USAGE}

Files: ${files.join(', ')}.
${extraInputsOf(f.inputs)}`;
}
