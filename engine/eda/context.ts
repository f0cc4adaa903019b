/**
 * The "domain context" paragraph for the LLM architect: only facts that change a model design
 * (size, sampling, cycles, stationarity, volatility, coupling between features, outliers).
 */
import { fmt } from './format.js';
import type { EdaReport, FeatureEda } from './report.js';

/** Periods that recur across features, with how many features show each (labels merged). */
export function commonPeriods(features: FeatureEda[]): { label: string; steps: number; features: string[] }[] {
  const byLabel = new Map<string, { label: string; steps: number; features: string[] }>();
  for (const f of features) {
    const seen = new Set<string>();
    for (const p of f.seasonality.dominantPeriods) {
      if (seen.has(p.label)) continue;
      seen.add(p.label);
      const entry = byLabel.get(p.label) ?? { label: p.label, steps: p.steps, features: [] };
      entry.features.push(f.name);
      byLabel.set(p.label, entry);
    }
  }
  return [...byLabel.values()].sort((a, b) => b.features.length - a.features.length || a.steps - b.steps);
}

function list(names: string[], max = 4): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function buildContext(report: Omit<EdaReport, 'context'>): string {
  const d = report.dataset;
  const f = report.features;
  const parts: string[] = [];
  const rows = d.range[1] - d.range[0];
  parts.push(
    `${rows.toLocaleString('en-US')} time steps × ${f.length} feature${f.length === 1 ? '' : 's'} (${list(d.columns, 8)}; target ${d.target})` +
      (d.frequencyLabel ? `, sampled every ${d.frequencyLabel}` : ', irregular or unknown sampling interval') +
      `, ${d.start.slice(0, 10)} to ${d.end.slice(0, 10)}${d.scope === 'train' ? ' (training split only)' : ''}.`,
  );

  const periods = commonPeriods(f).slice(0, 3);
  if (periods.length > 0) {
    parts.push(
      `Dominant periods: ${periods
        .map((p) => `${p.label}${d.frequencyLabel ? ` (${Math.round(p.steps)} steps)` : ''} in ${p.features.length}/${f.length} features`)
        .join('; ')}.`,
    );
  } else {
    parts.push('No clear periodicity was found.');
  }
  const strongSeason = f.filter((x) => (x.seasonality.seasonalStrength ?? 0) >= 0.6).map((x) => x.name);
  const strongTrend = f.filter((x) => (x.seasonality.trendStrength ?? 0) >= 0.8).map((x) => x.name);
  if (strongSeason.length > 0) parts.push(`Strong seasonality (strength ≥ 0.6): ${list(strongSeason)}.`);
  if (strongTrend.length > 0) parts.push(`Strong trend or slow level changes (trend strength ≥ 0.8): ${list(strongTrend)}.`);

  const byVerdict = new Map<string, string[]>();
  for (const x of f) byVerdict.set(x.stationarity.verdict, [...(byVerdict.get(x.stationarity.verdict) ?? []), x.name]);
  parts.push(
    `Stationarity (ADF and KPSS at 5%): ${[...byVerdict.entries()].map(([v, names]) => `${v} — ${list(names)}`).join('; ')}.` +
      (byVerdict.has('unit-root') || byVerdict.has('difference-stationary') || byVerdict.has('trend-stationary')
        ? ' Level shifts over time suggest per-window normalisation (RevIN) or differencing.'
        : ''),
  );

  const vol = f.filter((x) => x.volatility.ratio !== null).sort((a, b) => b.volatility.ratio! - a.volatility.ratio!);
  if (vol.length > 0) {
    const hi = vol[0]!;
    const lo = vol[vol.length - 1]!;
    parts.push(
      `Volatility (std of one-step changes / std of level): highest ${hi.name} ${fmt(hi.volatility.ratio, 2)}, lowest ${lo.name} ${fmt(lo.volatility.ratio, 2)}` +
        ' (near 0 = smooth, ≈1.4 = white noise).',
    );
  }

  const pairs = report.correlation.topPairs.filter((p) => Math.abs(p.r) >= 0.5).slice(0, 3);
  if (pairs.length > 0) parts.push(`Strongest correlations: ${pairs.map((p) => `${p.a}–${p.b} r=${fmt(p.r, 2)}`).join(', ')}.`);
  else if (f.length > 1) parts.push('Features are weakly correlated (all |r| < 0.5).');

  const outl = f.filter((x) => x.outliers.robustZ.count > 0).sort((a, b) => b.outliers.robustZ.count - a.outliers.robustZ.count);
  if (outl.length > 0) {
    parts.push(`Outliers (|robust z| > 3.5): ${outl.slice(0, 3).map((x) => `${x.name} ${x.outliers.robustZ.count}`).join(', ')}.`);
  }
  return parts.join(' ');
}
