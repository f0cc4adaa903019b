/** Known objects in a test home, written before a genautoml process opens it. */
import { loadConfig } from '../../engine/config.js';
import { silentLogger } from '../../engine/log.js';
import { createApp } from '../../server/app.js';

export const SEED = {
  datasetId: 'ds_e2etest01',
  datasetName: 'tiny-hourly',
  modelId: 'md_e2etest01',
  modelName: 'tiny_linear',
  modelCode: 'import torch\nfrom torch import nn\n\nclass Model(nn.Module):\n    def __init__(self, seq_len, pred_len):\n        super().__init__()\n        self.proj = nn.Linear(seq_len, pred_len)\n',
  artifactBytes: Buffer.from('{"hello":"artefact"}'),
  artifactMime: 'application/json',
};

export async function seed(env: Record<string, string>): Promise<{ artifactSha: string }> {
  const app = await createApp(loadConfig(env), silentLogger, { startQueue: false });
  try {
    await app.datasets.insert(app.db, {
      id: SEED.datasetId,
      name: SEED.datasetName,
      source: { kind: 'test' },
      meta: {
        formatVersion: 1,
        rows: 10,
        columns: ['load', 'temp'],
        target: 'temp',
        frequencyMs: 3_600_000,
        start: '2020-01-01T00:00:00.000Z',
        end: '2020-01-01T09:00:00.000Z',
        splits: { train: [0, 7], val: [7, 8], test: [8, 10] },
        scaler: { mean: [0, 1], std: [1, 2] },
        hasLabels: false,
      },
      summary: { note: 'seeded by the e2e tests' },
    });
    await app.models.insert({
      id: SEED.modelId,
      name: SEED.modelName,
      kind: 'user',
      code: SEED.modelCode,
      codeSha: 'x',
      request: null,
      provider: null,
      iterations: null,
      report: null,
      dims: null,
    });
    const artifactSha = await app.artifacts.put(SEED.artifactBytes, SEED.artifactMime);
    await app.artifacts.link({ ownerKind: 'dataset', ownerId: SEED.datasetId, name: 'hello.json', sha256: artifactSha, mime: SEED.artifactMime });
    return { artifactSha };
  } finally {
    await app.close();
  }
}
