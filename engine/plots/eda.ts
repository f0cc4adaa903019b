/** The four EDA charts: series, ACF, correlation heatmap, distributions. */
import type { PreparedDataset } from '../data/prepared.js';
import { originalColumn } from '../eda/index.js';
import type { EdaReport } from '../eda/report.js';
import { lttb } from './downsample.js';
import { renderPlot } from './render.js';
import type { Plot, RenderOptions } from './render.js';
import { acfSpec, heatmapSpec, histogramSpec, seriesSpec } from './specs.js';
import type { Histogram, SeriesPanel } from './specs.js';

export interface EdaPlotOptions extends RenderOptions {
  /** Points per feature in the series chart (default 1500). */
  maxPoints?: number;
  /** Histogram bins (default 40). */
  bins?: number;
}

function hasTimes(dataset: PreparedDataset): boolean {
  const t = dataset.times;
  return t.length === dataset.meta.rows && t.length > 0 && Number.isFinite(t[0]!) && Number.isFinite(t[t.length - 1]!);
}

export function histogram(name: string, x: Float64Array, bins: number): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return { name, edges: [0, 1], counts: [0] };
  if (hi === lo) {
    // A constant column still gets one visible bar.
    return { name, edges: [lo - 0.5, hi + 0.5], counts: [x.length] };
  }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[b] = counts[b]! + 1;
  }
  return { name, edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}

/** Renders the EDA charts for a dataset and its report (the same report runEda returned). */
export async function renderEdaPlots(dataset: PreparedDataset, report: EdaReport, options: EdaPlotOptions = {}): Promise<Plot[]> {
  const { meta } = dataset;
  const temporal = hasTimes(dataset);
  const rows = meta.rows;
  const xAll = temporal ? dataset.times : Float64Array.from({ length: rows }, (_, i) => i);
  const maxPoints = options.maxPoints ?? 1500;
  const [from, to] = report.dataset.range;

  const panels: SeriesPanel[] = meta.columns.map((name, c) => {
    const y = originalColumn(dataset, c);
    const keep = lttb(xAll, y, maxPoints);
    return { name, x: keep.map((i) => xAll[i]!), y: keep.map((i) => y[i]!) };
  });
  const boundaries = [
    { label: 'validation', at: meta.splits.val[0] },
    { label: 'test', at: meta.splits.test[0] },
  ]
    .filter((b) => b.at > 0 && b.at < rows)
    .map((b) => ({ label: b.label, x: xAll[b.at]! }));

  const scopeNote = report.dataset.scope === 'train' ? 'training split' : 'all rows';
  const plots: Plot[] = [];
  plots.push(
    await renderPlot(
      'eda-series',
      'Series',
      seriesSpec({
        title: 'Series',
        subtitle: `${rows.toLocaleString('en-US')} rows${rows > maxPoints ? `, downsampled to ${maxPoints} points per feature (LTTB)` : ''}; dashed lines mark the split boundaries`,
        panels,
        boundaries,
        temporal,
      }),
      options,
    ),
  );
  plots.push(
    await renderPlot(
      'eda-acf',
      'Autocorrelation',
      acfSpec({
        title: 'Autocorrelation',
        subtitle: `ACF with Bartlett 95% band (${scopeNote})`,
        panels: report.features.map((f) => ({ name: f.name, acf: f.seasonality.acf, band: f.seasonality.acfBand })),
      }),
      options,
    ),
  );
  if (report.features.length > 1) {
    plots.push(
      await renderPlot(
        'eda-correlation',
        'Correlation',
        heatmapSpec({ title: 'Correlation (Pearson)', subtitle: scopeNote, columns: report.correlation.columns, matrix: report.correlation.matrix }),
        options,
      ),
    );
  }
  const bins = options.bins ?? 40;
  plots.push(
    await renderPlot(
      'eda-distributions',
      'Distributions',
      histogramSpec({
        title: 'Distributions',
        subtitle: `${bins} equal-width bins, original units (${scopeNote})`,
        histograms: meta.columns.map((name, c) => histogram(name, originalColumn(dataset, c, from, to), bins)),
      }),
      options,
    ),
  );
  return plots;
}
