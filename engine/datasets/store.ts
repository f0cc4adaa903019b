/**
 * Datasets at rest: the raw file and the prepared arrays as artefacts, the metadata and summary as
 * a row — all in one transaction, so a failed load stores nothing. Reading back gives either the
 * arrays in memory (EDA) or local files (the runner memory-maps them).
 */
import type { App } from '../app.js';
import type { LabelSummary } from '../data/label-windows.js';
import type { PreparedDataset, PreparedMeta } from '../data/prepared.js';
import type { PrepareResult } from '../data/prepare.js';
import { GenAutoMLError } from '../errors.js';
import type { ArtifactLink } from '../../storage/artifacts.js';
import type { DatasetRecord } from '../../storage/datasets.js';
import { newId } from '../../storage/ids.js';

type Stores = Pick<App, 'db' | 'datasets' | 'artifacts'>;

const F32 = 'application/x-float32-le';
const F64 = 'application/x-float64-le';
const U8 = 'application/x-uint8';

function bytesOf(a: Float32Array | Float64Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export async function saveDataset(app: Stores, result: PrepareResult, source: Record<string, unknown>, name?: string): Promise<DatasetRecord> {
  const id = newId('ds');
  const { dataset, summary } = result;
  const rawMime = summary.format === 'parquet' ? 'application/vnd.apache.parquet' : summary.format === 'json' ? 'application/json' : 'text/csv';
  // Read before the transaction: a file that changed since it was parsed is refused with nothing stored.
  const raw = await result.source.readAll();
  await app.db.transaction(async (tx) => {
    const store = app.artifacts.within(tx);
    const put = async (linkName: string, bytes: Uint8Array, mime: string): Promise<void> => {
      const sha = await store.put(bytes, mime);
      await store.link({ ownerKind: 'dataset', ownerId: id, name: linkName, sha256: sha, mime });
    };
    await app.datasets.insert(tx, { id, name: name ?? summary.name, source, meta: dataset.meta, summary });
    await put('raw', raw, rawMime);
    await put('values', bytesOf(dataset.values), F32);
    await put('times', bytesOf(dataset.times), F64);
    if (dataset.labels) await put('labels', bytesOf(dataset.labels), U8);
  });
  return app.datasets.get(id);
}

async function artefact(app: Pick<App, 'artifacts'>, id: string, name: string): Promise<string | undefined> {
  return (await app.artifacts.findLink('dataset', id, name))?.sha256;
}

async function requiredLink(app: Pick<App, 'artifacts'>, id: string, name: string): Promise<ArtifactLink> {
  const link = await app.artifacts.findLink('dataset', id, name);
  if (!link) {
    throw new GenAutoMLError('dataset.damaged', `Dataset ${id} has no stored ${name} array.`, { hint: 'Load the file again with load_dataset.' });
  }
  return link;
}

async function required(app: Pick<App, 'artifacts'>, id: string, name: string): Promise<string> {
  return (await requiredLink(app, id, name)).sha256;
}

/** A dataset's grid times alone (labelling needs no values). */
export async function loadTimes(app: Pick<App, 'datasets' | 'artifacts'>, id: string): Promise<{ record: DatasetRecord; times: Float64Array }> {
  const record = await app.datasets.get(id);
  const times = await app.artifacts.get(await required(app, id, 'times'));
  return { record, times: new Float64Array(times.buffer.slice(times.byteOffset, times.byteOffset + times.byteLength)) };
}

/** The prepared arrays in memory. */
export async function loadPrepared(app: Pick<App, 'datasets' | 'artifacts'>, id: string): Promise<{ record: DatasetRecord; dataset: PreparedDataset }> {
  const record = await app.datasets.get(id);
  const values = await app.artifacts.get(await required(app, id, 'values'));
  const times = await app.artifacts.get(await required(app, id, 'times'));
  const labelsSha = await artefact(app, id, 'labels');
  const labels = labelsSha ? await app.artifacts.get(labelsSha) : undefined;
  // Copy into fresh, aligned buffers: Buffer slices may sit at odd offsets of a shared pool.
  const dataset: PreparedDataset = {
    meta: record.meta,
    values: new Float32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
    times: new Float64Array(times.buffer.slice(times.byteOffset, times.byteOffset + times.byteLength)),
    ...(labels ? { labels: new Uint8Array(labels) } : {}),
  };
  return { record, dataset };
}

export interface PreparedFiles {
  meta: PreparedMeta;
  values: string;
  times: string;
  labels: string | null;
}

/** Local files of the prepared arrays (cached by hash), for the runner to memory-map. */
export async function preparedFiles(app: Pick<App, 'datasets' | 'artifacts'>, id: string): Promise<PreparedFiles> {
  const record = await app.datasets.get(id);
  const labelsSha = await artefact(app, id, 'labels');
  return {
    meta: record.meta,
    values: await app.artifacts.localPath(await required(app, id, 'values')),
    times: await app.artifacts.localPath(await required(app, id, 'times')),
    labels: labelsSha ? await app.artifacts.localPath(labelsSha) : null,
  };
}

/**
 * Labels a stored dataset from a windows file after the fact, as a new dataset that shares the
 * stored arrays (artefacts are content-addressed) and adds the labels: studies already run on
 * the original keep exactly the data they were scored on.
 */
export async function saveRelabelled(
  app: Stores,
  from: DatasetRecord,
  labels: Uint8Array,
  summaryLabels: LabelSummary,
  warnings: string[],
  name?: string,
): Promise<DatasetRecord> {
  const id = newId('ds');
  const shared = await Promise.all(['raw', 'values', 'times'].map((n) => requiredLink(app, from.id, n)));
  await app.db.transaction(async (tx) => {
    const store = app.artifacts.within(tx);
    const summary = { ...from.summary, labels: summaryLabels, warnings: [...(Array.isArray(from.summary.warnings) ? from.summary.warnings : []), ...warnings] };
    await app.datasets.insert(tx, { id, name: name ?? `${from.name} (labelled)`, source: { kind: 'relabelled', from: from.id }, meta: { ...from.meta, hasLabels: true }, summary });
    for (const link of shared) await store.link({ ...link, ownerId: id });
    const sha = await store.put(bytesOf(labels), U8);
    await store.link({ ownerKind: 'dataset', ownerId: id, name: 'labels', sha256: sha, mime: U8 });
  });
  return app.datasets.get(id);
}
