/**
 * run_eda's engine: statistics, stationarity, seasonality, correlations, outliers and a context
 * paragraph for one prepared dataset, in the data's original units.
 */
import type { PreparedDataset } from '../data/prepared.js';
import { GenAutoMLError } from '../errors.js';
import { buildContext } from './context.js';
import { correlationMatrix, describe, outliers, volatility } from './describe.js';
import { fmt, formatDuration } from './format.js';
import { fillGaps, finiteOrNull } from './numeric.js';
import type { CorrelationPair, EdaReport, FeatureEda, Period, StationarityVerdict } from './report.js';
import { acf, bartlettBand, decompositionStrength, dominantPeriods, explainedVariance, longCycles } from './seasonality.js';
import { describeCalendar } from '../data/calendar.js';
import type { CalendarFrequency } from '../data/calendar.js';
import { splitLabelCounts } from '../data/label-windows.js';
import { adfTest, kpssTest } from './stationarity.js';
import type { AdfResult, KpssResult } from './stationarity.js';

export * from './report.js';
export { answerQuestion } from './question.js';
export type { QuestionAnswer, QuestionIntent } from './question.js';
export { formatDuration } from './format.js';

export interface EdaOptions {
  /** Rows to analyse: every split (default) or the training split only (no peeking at test). */
  scope?: 'all' | 'train';
  /** ADF/KPSS run on at most the last this many points (default 10,000); both are O(n·lags). */
  maxTestPoints?: number;
  /** ACF lags; default at least 48, two main periods and 1.25 × the longest period found (≤ 2000). */
  acfLags?: number;
  /** Spectral and decomposition steps use at most the last this many points (default 1,048,576). */
  maxSpectralPoints?: number;
  /** Dominant periods reported per feature (default 3). */
  periods?: number;
  /** Outlier points listed per feature (default 5). */
  topOutliers?: number;
  /** Significance level for the stationarity verdict (default 0.05). */
  alpha?: number;
  /** Missing counts from ingestion (before filling), which the prepared arrays no longer show. */
  missingCounts?: Record<string, number>;
}

/** ACF lags at most: enough for a yearly cycle in daily data or a weekly one in 10-minute data. */
const MAX_ACF_LAGS = 2000;

const DEFAULTS = { maxTestPoints: 10_000, maxSpectralPoints: 1 << 20, periods: 3, topOutliers: 5, alpha: 0.05 };

/** Column c of the prepared array back in original units, over rows [from, to). */
export function originalColumn(dataset: PreparedDataset, c: number, from = 0, to = dataset.meta.rows): Float64Array {
  const C = dataset.meta.columns.length;
  const mean = dataset.meta.scaler.mean[c] ?? 0;
  const std = dataset.meta.scaler.std[c] ?? 1;
  const out = new Float64Array(to - from);
  for (let r = from; r < to; r++) out[r - from] = dataset.values[r * C + c]! * std + mean;
  return out;
}

function verdictOf(adf: AdfResult, kpss: KpssResult, alpha: number): { verdict: StationarityVerdict; explanation: string } {
  const adfSays = adf.pValue < alpha; // rejects a unit root
  const kpssSays = kpss.pValue >= alpha; // does not reject stationarity
  const p = `ADF p=${fmt(adf.pValue, 2)}, KPSS p${kpss.pValueBound === 'above' ? '≥' : kpss.pValueBound === 'below' ? '≤' : '='}${fmt(kpss.pValue, 2)}`;
  if (adfSays && kpssSays) return { verdict: 'stationary', explanation: `stationary: both tests agree (${p}).` };
  if (!adfSays && !kpssSays)
    return { verdict: 'unit-root', explanation: `non-stationary with a unit root: ADF cannot reject a unit root and KPSS rejects stationarity (${p}); difference it or normalise per window.` };
  if (!adfSays && kpssSays)
    return { verdict: 'trend-stationary', explanation: `trend-stationary: KPSS accepts stationarity but ADF cannot reject a unit root (${p}); remove the trend rather than differencing.` };
  return {
    verdict: 'difference-stationary',
    explanation: `difference-stationary: ADF rejects a unit root but KPSS rejects level stationarity (${p}); the level wanders (slow trend or shifts), differencing or per-window normalisation helps.`,
  };
}

function periodOf(steps: number, powerShare: number, prominence: number, frequencyMs: number | null, calendar: CalendarFrequency | undefined): Period {
  // Peaks between bins land a little off the true period; snap when within 2% of a whole step.
  const rounded = Math.round(steps);
  const s = Math.abs(steps - rounded) / steps < 0.02 ? rounded : Math.round(steps * 100) / 100;
  const ms = frequencyMs === null ? null : s * frequencyMs;
  // Calendar grids count in their own units: 12 months, 4 quarters, 5 business days.
  const label = calendar ? describeCalendar(calendar, s * calendar.step) : ms === null ? `${s} steps` : formatDuration(ms);
  return { steps: s, ms, label, powerShare, prominence };
}

/**
 * Spectral peaks (three or more cycles) and fitted long cycles (two to twelve), without
 * near-duplicates, ranked by the variance each explains; the first `count` are kept.
 */
function findPeriods(x: Float64Array, count: number, frequencyMs: number | null, calendar: CalendarFrequency | undefined): Period[] {
  const found: Period[] = dominantPeriods(x, count).map((p) => ({ ...periodOf(p.periodSteps, p.powerShare, p.prominence, frequencyMs, calendar), source: 'spectrum' as const }));
  for (const c of longCycles(x)) {
    if (found.some((p) => Math.abs(p.steps - c.periodSteps) / c.periodSteps < 0.1)) continue;
    found.push({ ...periodOf(c.periodSteps, c.explained, 0, frequencyMs, calendar), source: 'fit' });
  }
  for (const p of found) {
    // The fit needs a few cycles, not the whole series: the recent part keeps long inputs cheap.
    const span = Math.min(x.length, Math.max(1 << 16, Math.ceil(4 * p.steps)));
    p.explainedVariance = explainedVariance(x.subarray(x.length - span), p.steps);
  }
  return found.sort((a, b) => (b.explainedVariance ?? 0) - (a.explainedVariance ?? 0)).slice(0, count);
}

function analyseFeature(
  name: string,
  raw: Float64Array,
  times: Float64Array,
  from: number,
  frequencyMs: number | null,
  calendar: CalendarFrequency | undefined,
  opts: Required<Omit<EdaOptions, 'missingCounts' | 'scope' | 'acfLags'>> & { acfLags?: number; missing?: number },
  notes: Set<string>,
): FeatureEda {
  const stats = describe(raw, opts.missing);
  const vol = volatility(raw, stats);
  const { values: x, filled } = fillGaps(raw);
  if (filled > 0) notes.add('Missing values were forward-filled for the tests, ACF and spectrum (counts are reported as missing).');
  const n = x.length;
  const constant = !(stats.std > 0);

  const spec = n > opts.maxSpectralPoints ? x.subarray(n - opts.maxSpectralPoints) : x;
  const periods = constant ? [] : findPeriods(spec, opts.periods, frequencyMs, calendar);
  const main = periods[0]?.steps ?? null;
  // The ACF reaches past the longest period found (and two main periods), so its plot shows them.
  const longest = Math.max(0, ...periods.map((p) => p.steps));
  const acfLags = Math.min(
    n - 1,
    opts.acfLags ?? Math.min(MAX_ACF_LAGS, Math.max(48, main !== null && main > 24 ? Math.ceil(2 * main) + 1 : 0, Math.ceil(1.25 * longest) + 1)),
  );
  const r = constant ? new Float64Array(Math.max(0, acfLags) + 1) : acf(spec, acfLags);
  const band = bartlettBand(r, spec.length);
  const strength = constant ? { trend: NaN, seasonal: null, period: null } : decompositionStrength(spec, main);

  const testX = n > opts.maxTestPoints ? x.subarray(n - opts.maxTestPoints) : x;
  let stationarity: FeatureEda['stationarity'];
  if (constant) {
    stationarity = { points: testX.length, adf: null, kpss: null, verdict: 'constant', explanation: 'constant: the feature never changes, so it carries no signal.' };
  } else {
    try {
      const adf = adfTest(testX);
      const kpss = kpssTest(testX);
      stationarity = {
        points: testX.length,
        adf: { statistic: adf.statistic, pValue: adf.pValue, usedLag: adf.usedLag, nobs: adf.nobs, criticalValues: adf.criticalValues },
        kpss: { statistic: kpss.statistic, pValue: kpss.pValue, pValueBound: kpss.pValueBound, lags: kpss.lags },
        ...verdictOf(adf, kpss, opts.alpha),
      };
    } catch (err) {
      if (!(err instanceof GenAutoMLError)) throw err;
      const verdict: StationarityVerdict = err.code === 'eda.too_short' ? 'too-short' : 'constant';
      stationarity = { points: testX.length, adf: null, kpss: null, verdict, explanation: `${verdict}: ${err.message}` };
    }
  }

  const out = outliers(raw, stats, { topK: opts.topOutliers });
  return {
    name,
    stats: {
      count: stats.count,
      missing: stats.missing,
      mean: finiteOrNull(stats.mean),
      std: finiteOrNull(stats.std),
      min: finiteOrNull(stats.min),
      q25: finiteOrNull(stats.q25),
      median: finiteOrNull(stats.median),
      q75: finiteOrNull(stats.q75),
      max: finiteOrNull(stats.max),
      skewness: finiteOrNull(stats.skewness),
      kurtosis: finiteOrNull(stats.kurtosis),
    },
    volatility: { diffStd: finiteOrNull(vol.diffStd), ratio: finiteOrNull(vol.ratio), cv: vol.cv === null ? null : finiteOrNull(vol.cv) },
    stationarity,
    seasonality: {
      dominantPeriods: periods,
      acf: Array.from(r, (v) => (Number.isFinite(v) ? v : 0)),
      acfBand: Array.from(band),
      trendStrength: finiteOrNull(strength.trend),
      seasonalStrength: strength.seasonal === null ? null : finiteOrNull(strength.seasonal),
      decompositionPeriod: strength.period,
    },
    outliers: {
      robustZ: { ...out.robustZ, mad: finiteOrNull(out.robustZ.mad) },
      iqr: { ...out.iqr, lower: finiteOrNull(out.iqr.lower), upper: finiteOrNull(out.iqr.upper) },
      top: out.top.map((o) => {
        const t = times[from + o.index];
        return { index: from + o.index, time: t !== undefined && Number.isFinite(t) ? new Date(t).toISOString() : null, value: o.value, robustZ: o.robustZ };
      }),
    },
  };
}

/** Runs the whole analysis; the result is plain JSON matching `edaReportSchema`. */
export function runEda(dataset: PreparedDataset, options: EdaOptions = {}): EdaReport {
  const { meta } = dataset;
  const scope = options.scope ?? 'all';
  const [from, to] = scope === 'train' ? meta.splits.train : [0, meta.rows];
  if (to - from < 2) {
    throw new GenAutoMLError('eda.too_short', `Only ${to - from} rows to analyse; EDA needs at least 2 (and ~50 for the stationarity tests).`, {
      hint: scope === 'train' ? 'Use scope "all" or a larger training split.' : 'Load a longer series.',
      details: { rows: to - from, scope },
    });
  }
  const opts = {
    maxTestPoints: options.maxTestPoints ?? DEFAULTS.maxTestPoints,
    maxSpectralPoints: options.maxSpectralPoints ?? DEFAULTS.maxSpectralPoints,
    periods: options.periods ?? DEFAULTS.periods,
    topOutliers: options.topOutliers ?? DEFAULTS.topOutliers,
    alpha: options.alpha ?? DEFAULTS.alpha,
    ...(options.acfLags === undefined ? {} : { acfLags: options.acfLags }),
  };
  const notes = new Set<string>();
  const n = to - from;
  if (n > opts.maxTestPoints) {
    notes.add(`ADF and KPSS ran on the last ${opts.maxTestPoints.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} points (their cost grows with length × lags; recent behaviour matters most for forecasting).`);
  }
  if (n > opts.maxSpectralPoints) {
    notes.add(`ACF, periodogram and decomposition used the last ${opts.maxSpectralPoints.toLocaleString('en-US')} points.`);
  }
  notes.add('Seasonal and trend strengths come from a classical moving-average decomposition at the main period (an STL-free approximation).');

  const columns: Float64Array[] = meta.columns.map((_, c) => originalColumn(dataset, c, from, to));
  const features = meta.columns.map((name, c) =>
    analyseFeature(name, columns[c]!, dataset.times, from, meta.frequencyMs, meta.calendar, { ...opts, missing: options.missingCounts?.[name] }, notes),
  );

  const matrix = correlationMatrix(columns);
  const pairs: CorrelationPair[] = [];
  for (let a = 0; a < meta.columns.length; a++) {
    for (let b = a + 1; b < meta.columns.length; b++) {
      const r = matrix[a]![b]!;
      if (Number.isFinite(r)) pairs.push({ a: meta.columns[a]!, b: meta.columns[b]!, r });
    }
  }
  pairs.sort((x, y) => Math.abs(y.r) - Math.abs(x.r));

  const t0 = dataset.times[from];
  const t1 = dataset.times[to - 1];
  const partial: Omit<EdaReport, 'context'> = {
    version: 1,
    dataset: {
      rows: meta.rows,
      columns: meta.columns,
      target: meta.target,
      frequencyMs: meta.frequencyMs,
      frequencyLabel: meta.calendar ? describeCalendar(meta.calendar) : meta.frequencyMs === null ? null : formatDuration(meta.frequencyMs),
      start: t0 !== undefined && Number.isFinite(t0) ? new Date(t0).toISOString() : meta.start,
      end: t1 !== undefined && Number.isFinite(t1) ? new Date(t1).toISOString() : meta.end,
      scope,
      range: [from, to],
      ...(dataset.labels ? { labels: splitLabelCounts(dataset.labels, meta.splits) } : {}),
    },
    features,
    correlation: { columns: meta.columns, matrix: matrix.map((row) => row.map(finiteOrNull)), topPairs: pairs.slice(0, 10) },
    notes: [...notes],
  };
  return { ...partial, context: buildContext(partial) };
}
