/**
 * run_eda for a stored dataset: compute (or reuse) the report, render and store the plots.
 * The report is cached on the dataset row; plots are content-addressed artefacts, so a repeat
 * costs only the rendering.
 */
import type { App } from '../app.js';
import { loadPrepared } from '../datasets/store.js';
import { renderEdaPlots } from '../plots/index.js';
import type { Plot } from '../plots/index.js';
import { edaReportSchema, runEda, type EdaOptions, type EdaReport } from './index.js';

export interface StoredPlot extends Plot {
  sha256: string;
}

export async function edaForDataset(
  app: Pick<App, 'datasets' | 'artifacts'>,
  datasetId: string,
  options: { scope?: EdaOptions['scope']; plots?: boolean; onStage?: (stage: string) => void } = {},
): Promise<{ report: EdaReport; plots: StoredPlot[] }> {
  const { record, dataset } = await loadPrepared(app, datasetId);
  const scope = options.scope ?? 'all';
  const cached = record.eda ? edaReportSchema.safeParse(record.eda) : undefined;
  let report: EdaReport;
  if (cached?.success && cached.data.dataset.scope === scope) {
    report = cached.data;
  } else {
    options.onStage?.('statistics');
    const summary = record.summary as { missing?: Record<string, { missing: number }> };
    const missingCounts = summary.missing ? Object.fromEntries(Object.entries(summary.missing).map(([c, m]) => [c, m.missing])) : undefined;
    report = runEda(dataset, { scope, ...(missingCounts ? { missingCounts } : {}) });
    await app.datasets.setEda(datasetId, report);
  }
  const plots: StoredPlot[] = [];
  if (options.plots !== false) {
    options.onStage?.('plots');
    for (const p of await renderEdaPlots(dataset, report)) {
      const sha = await app.artifacts.put(p.png, 'image/png');
      await app.artifacts.link({ ownerKind: 'dataset', ownerId: datasetId, name: `plots/${p.name}.png`, sha256: sha, mime: 'image/png' });
      plots.push({ ...p, sha256: sha });
    }
  }
  return { report, plots };
}
