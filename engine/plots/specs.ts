/**
 * vega-lite spec builders. Data arrive already reduced (downsampled lines, pre-binned histograms)
 * so that vega only lays out a few thousand marks, which keeps rendering fast.
 */
import type { TopLevelSpec } from 'vega-lite';

type Row = Record<string, string | number | null>;

const ACCENT = '#c0392b';
const LINE = '#1f5f99';

function xField(temporal: boolean, title: string | null, domain?: [number, number]) {
  return {
    field: 't',
    type: temporal ? ('temporal' as const) : ('quantitative' as const),
    title,
    scale: { ...(temporal ? { type: 'utc' as const } : { zero: false }), ...(domain ? { domain } : {}) },
  };
}

export interface SeriesPanel {
  name: string;
  /** x positions: epoch ms when `temporal`, otherwise row numbers. */
  x: number[];
  y: number[];
}

export interface Boundary {
  label: string;
  x: number;
}

/** One panel per feature, shared x range, dashed rules at split boundaries. */
export function seriesSpec(input: {
  title: string;
  subtitle?: string;
  panels: SeriesPanel[];
  boundaries?: Boundary[];
  temporal: boolean;
  width?: number;
  panelHeight?: number;
}): TopLevelSpec {
  const width = input.width ?? 900;
  const height = input.panelHeight ?? 70;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of input.panels) {
    if (p.x.length === 0) continue;
    lo = Math.min(lo, p.x[0]!);
    hi = Math.max(hi, p.x[p.x.length - 1]!);
  }
  const domain: [number, number] | undefined = Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : undefined;
  const rules: Row[] = (input.boundaries ?? []).map((b) => ({ t: b.x, label: b.label }));
  const panels = input.panels.map((p, i) => {
    const last = i === input.panels.length - 1;
    const values: Row[] = p.x.map((x, j) => ({ t: x, v: p.y[j] ?? null }));
    const layer: object[] = [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 0.8, color: LINE },
        encoding: {
          x: { ...xField(input.temporal, null, domain), axis: { labels: last, ticks: last, title: null, grid: true } },
          y: { field: 'v', type: 'quantitative', title: p.name, scale: { zero: false }, axis: { tickCount: 3, titleAngle: 0, titleAlign: 'right', titleBaseline: 'middle' } },
        },
      },
    ];
    if (rules.length > 0) {
      layer.push({ data: { values: rules }, mark: { type: 'rule', color: ACCENT, strokeDash: [4, 3] }, encoding: { x: xField(input.temporal, null, domain) } });
      if (i === 0) {
        layer.push({
          data: { values: rules },
          mark: { type: 'text', color: ACCENT, align: 'left', dx: 3, dy: -4, baseline: 'bottom', fontSize: 10 },
          encoding: { x: xField(input.temporal, null, domain), y: { value: 0 }, text: { field: 'label' } },
        });
      }
    }
    return { width, height, layer };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: input.title, subtitle: input.subtitle } : input.title,
    vconcat: panels,
    spacing: 4,
  } as TopLevelSpec;
}

export interface AcfPanel {
  name: string;
  acf: number[];
  /** Half-width of the confidence band per lag. */
  band: number[];
}

/** ACF bars (lag ≥ 1) with a shaded 95% band, one small panel per feature. */
export function acfSpec(input: { title: string; subtitle?: string; panels: AcfPanel[]; columns?: number }): TopLevelSpec {
  const values: Row[] = [];
  for (const p of input.panels) {
    for (let k = 1; k < p.acf.length; k++) values.push({ feature: p.name, lag: k, acf: p.acf[k]!, lo: -(p.band[k] ?? 0), hi: p.band[k] ?? 0 });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: input.title, subtitle: input.subtitle } : input.title,
    data: { values },
    facet: { field: 'feature', type: 'nominal', title: null, sort: input.panels.map((p) => p.name) },
    columns: input.columns ?? Math.min(3, input.panels.length),
    spec: {
      width: 260,
      height: 110,
      layer: [
        { mark: { type: 'area', color: '#9ecae1', opacity: 0.5 }, encoding: { x: { field: 'lag', type: 'quantitative', title: 'lag' }, y: { field: 'lo', type: 'quantitative', title: 'ACF', scale: { domain: [-1, 1] } }, y2: { field: 'hi' } } },
        { mark: { type: 'rule', color: LINE, strokeWidth: 1.5 }, encoding: { x: { field: 'lag', type: 'quantitative' }, y: { field: 'acf', type: 'quantitative' }, y2: { datum: 0 } } },
        { mark: { type: 'rule', color: '#888' }, encoding: { y: { datum: 0 } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  } as TopLevelSpec;
}

/** Correlation matrix as coloured cells with the coefficient printed in each. */
export function heatmapSpec(input: { title: string; subtitle?: string; columns: string[]; matrix: (number | null)[][] }): TopLevelSpec {
  const values: Row[] = [];
  input.columns.forEach((a, i) =>
    input.columns.forEach((b, j) => {
      const r = input.matrix[i]?.[j] ?? null;
      values.push({ a, b, r, label: r === null ? '–' : r.toFixed(2) });
    }),
  );
  const cell = Math.max(28, Math.min(60, Math.floor(560 / Math.max(1, input.columns.length))));
  const size = cell * input.columns.length;
  const axis = { field: '', type: 'nominal' as const, sort: input.columns, title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: input.title, subtitle: input.subtitle } : input.title,
    data: { values },
    width: size,
    height: size,
    encoding: { x: { ...axis, field: 'b', axis: { orient: 'top', labelAngle: -45 } }, y: { ...axis, field: 'a' } },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'r', type: 'quantitative', title: 'r', scale: { scheme: 'redblue', domain: [-1, 1], reverse: true } } } },
      {
        mark: { type: 'text', fontSize: cell >= 40 ? 11 : 9 },
        encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.r !== null && abs(datum.r) > 0.6', value: 'white' }, value: 'black' } },
      },
    ],
  } as TopLevelSpec;
}

export interface Histogram {
  name: string;
  /** Bin edges (length bins + 1). */
  edges: number[];
  counts: number[];
}

/** Pre-binned histograms, one panel per feature with its own x scale. */
export function histogramSpec(input: { title: string; subtitle?: string; histograms: Histogram[]; columns?: number }): TopLevelSpec {
  const values: Row[] = [];
  for (const h of input.histograms) {
    for (let i = 0; i < h.counts.length; i++) values.push({ feature: h.name, x0: h.edges[i]!, x1: h.edges[i + 1]!, count: h.counts[i]! });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: input.title, subtitle: input.subtitle } : input.title,
    data: { values },
    facet: { field: 'feature', type: 'nominal', title: null, sort: input.histograms.map((h) => h.name) },
    columns: input.columns ?? Math.min(3, input.histograms.length),
    spec: {
      width: 260,
      height: 110,
      mark: { type: 'rect', color: LINE, opacity: 0.85, stroke: 'white', strokeWidth: 0.3 },
      encoding: {
        x: { field: 'x0', type: 'quantitative', title: null, scale: { zero: false, nice: false } },
        x2: { field: 'x1' },
        y: { field: 'count', type: 'quantitative', title: 'count' },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

export interface ForecastInput {
  title?: string;
  feature?: string;
  /** x positions (epoch ms when temporal, otherwise steps) for history + horizon. */
  x: number[];
  /** Ground truth over all of x (history then horizon). */
  truth: number[];
  /** Forecast over the last forecast.length positions of x. */
  forecast: number[];
  /** Optional prediction interval, aligned with forecast. */
  lower?: number[];
  upper?: number[];
  temporal?: boolean;
  width?: number;
  height?: number;
}

/** Truth (history and horizon) against the forecast, with an optional interval band. */
export function forecastSpec(input: ForecastInput): TopLevelSpec {
  const temporal = input.temporal ?? false;
  const offset = input.x.length - input.forecast.length;
  const lines: Row[] = [];
  input.x.forEach((x, i) => lines.push({ t: x, v: input.truth[i] ?? null, series: 'truth' }));
  input.forecast.forEach((v, i) => lines.push({ t: input.x[offset + i]!, v, series: 'forecast' }));
  const layer: object[] = [];
  if (input.lower && input.upper) {
    const band: Row[] = input.forecast.map((_, i) => ({ t: input.x[offset + i]!, lo: input.lower![i] ?? null, hi: input.upper![i] ?? null }));
    layer.push({ data: { values: band }, mark: { type: 'area', color: '#f5b041', opacity: 0.3 }, encoding: { x: xField(temporal, temporal ? null : 'step'), y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } });
  }
  layer.push({
    data: { values: lines },
    mark: { type: 'line', strokeWidth: 1.4 },
    encoding: {
      x: xField(temporal, temporal ? null : 'step'),
      y: { field: 'v', type: 'quantitative', title: input.feature ?? 'value', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['truth', 'forecast'], range: ['#222', '#e67e22'] } },
    },
  });
  if (offset > 0 && offset < input.x.length) {
    layer.push({ data: { values: [{ t: input.x[offset]! }] }, mark: { type: 'rule', color: '#999', strokeDash: [4, 3] }, encoding: { x: xField(temporal, temporal ? null : 'step') } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? `Forecast vs truth${input.feature ? ` — ${input.feature}` : ''}`,
    width: input.width ?? 720,
    height: input.height ?? 260,
    layer,
  } as TopLevelSpec;
}

export interface ParetoPoint {
  name: string;
  x: number;
  y: number;
  group?: string;
}

/**
 * Points on the Pareto front when both axes are minimised (e.g. parameters vs validation loss):
 * sorted by x, each kept if its y is below every y before it.
 */
export function paretoFront(points: ParetoPoint[]): ParetoPoint[] {
  const sorted = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x || a.y - b.y);
  const front: ParetoPoint[] = [];
  let best = Infinity;
  for (const p of sorted) {
    if (p.y < best) {
      front.push(p);
      best = p.y;
    }
  }
  return front;
}

export interface ParetoInput {
  title?: string;
  points: ParetoPoint[];
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  width?: number;
  height?: number;
}

/** Scatter of candidates with the (minimise, minimise) Pareto front as a step line, labelled. */
export function paretoSpec(input: ParetoInput): TopLevelSpec {
  const front = paretoFront(input.points);
  const xScale = input.logX ? { type: 'log' as const } : { zero: false };
  const x = { field: 'x', type: 'quantitative' as const, title: input.xLabel, scale: xScale };
  const y = { field: 'y', type: 'quantitative' as const, title: input.yLabel, scale: { zero: false } };
  const hasGroups = input.points.some((p) => p.group !== undefined);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Pareto front',
    width: input.width ?? 560,
    height: input.height ?? 340,
    layer: [
      {
        data: { values: input.points.map((p) => ({ name: p.name, x: p.x, y: p.y, group: p.group ?? 'candidate' })) },
        mark: { type: 'circle', size: 45, opacity: 0.75 },
        encoding: { x, y, color: hasGroups ? { field: 'group', type: 'nominal', title: null } : { value: '#7f8c8d' } },
      },
      { data: { values: front.map((p) => ({ x: p.x, y: p.y })) }, mark: { type: 'line', interpolate: 'step-after', color: ACCENT, strokeWidth: 1.5 }, encoding: { x, y } },
      {
        data: { values: front.map((p) => ({ name: p.name, x: p.x, y: p.y })) },
        mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10, color: ACCENT },
        encoding: { x, y, text: { field: 'name' } },
      },
    ],
  } as TopLevelSpec;
}

export interface HorizonInput {
  title?: string;
  metric: string;
  /** One line per model: error at horizon steps 1..H. */
  series: { name: string; errors: number[] }[];
  width?: number;
  height?: number;
}

/** Error against forecast horizon step, one line per model. */
export function horizonErrorSpec(input: HorizonInput): TopLevelSpec {
  const values: Row[] = [];
  for (const s of input.series) s.errors.forEach((e, i) => values.push({ model: s.name, h: i + 1, e: Number.isFinite(e) ? e : null }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? `${input.metric} by horizon step`,
    width: input.width ?? 560,
    height: input.height ?? 300,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5, point: input.series.every((s) => s.errors.length <= 48) },
    encoding: {
      x: { field: 'h', type: 'quantitative', title: 'horizon step', scale: { zero: false } },
      y: { field: 'e', type: 'quantitative', title: input.metric, scale: { zero: false } },
      color: { field: 'model', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}
