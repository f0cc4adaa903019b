/** Small synthetic datasets stored through the real ingestion path. */
import type { App } from '../../engine/app.js';
import { prepareFromSource } from '../../engine/data/index.js';
import { syntheticCsv, type SyntheticOptions } from '../../engine/data/synthetic.js';
import { saveDataset } from '../../engine/datasets/store.js';
import { codeSha } from '../../engine/models/registry.js';
import { newId } from '../../storage/ids.js';
import { ETTH1_PATH } from '../fixtures/eda/etth1.js';

export { syntheticCsv };

export async function loadSynthetic(app: App, options: SyntheticOptions = {}): Promise<string> {
  const csv = syntheticCsv(options);
  const result = await prepareFromSource(
    { kind: 'inline', content: Buffer.from(csv).toString('base64'), name: 'synthetic.csv' },
    {},
    { allowedDirs: [], maxBytes: 10_000_000, urlTimeoutMs: 1000 },
  );
  return (await saveDataset(app, result, { kind: 'inline', name: 'synthetic.csv' })).id;
}

/** Registers model code as a user model (what a person's `validate --save` would store). */
export async function insertUserModel(app: App, name: string, code: string): Promise<void> {
  await app.models.insert({ id: newId('md'), name, kind: 'user', code, codeSha: codeSha(code), request: null, provider: null, iterations: null, report: null, dims: null });
}

/** ETTh1 (../shared/datasets/ETTh1.csv, never committed); throws with where it was looked for. */
export function etth1Path(): string {
  if (!ETTH1_PATH) throw new Error('ETTh1.csv not found: expected at ../shared/datasets/ETTh1.csv beside the repository (or /work/shared/datasets).');
  return ETTH1_PATH;
}
