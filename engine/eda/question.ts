/**
 * Answers common questions about a dataset from the computed EDA facts only. Matching is by
 * keywords, never by running code the question contains: the answer is a plain sentence plus the
 * facts it rests on, so an LLM (when configured) can rephrase it without inventing numbers.
 */
import { buildContext, commonPeriods } from './context.js';
import { fmt } from './format.js';
import type { EdaReport, FeatureEda } from './report.js';

export type QuestionIntent =
  | 'volatility'
  | 'stationarity'
  | 'seasonality'
  | 'correlation'
  | 'outliers'
  | 'trend'
  | 'missing'
  | 'statistics'
  | 'summary';

export interface QuestionAnswer {
  intent: QuestionIntent;
  /** True when no keyword matched and the answer fell back to the summary. */
  fallback: boolean;
  /** Features the question named (matched case-insensitively), in dataset order. */
  features: string[];
  answer: string;
  /** The exact facts the answer used, as JSON. */
  facts: Record<string, unknown>;
}

/* Order matters: the first intent whose keywords occur wins. */
const INTENTS: { intent: QuestionIntent; pattern: RegExp }[] = [
  { intent: 'stationarity', pattern: /stationar|unit[- ]?root|\badf\b|\bkpss\b|dickey|differenc/ },
  { intent: 'volatility', pattern: /volatil|variab|noisy|noisiest|fluctuat|jumpy|erratic|unstable|stable/ },
  { intent: 'seasonality', pattern: /season|period|cycl|daily|weekly|hourly|monthly|frequen|repeat|autocorr|\bacf\b|rhythm/ },
  { intent: 'correlation', pattern: /correl|related|relationship|associat|depend|co-?move|together|redundan/ },
  { intent: 'outliers', pattern: /outlier|anomal|spike|extreme|unusual|abnormal|glitch/ },
  { intent: 'trend', pattern: /trend|drift|increas|decreas|grow|declin/ },
  { intent: 'missing', pattern: /missing|\bnan\b|\bnull|gaps?\b|empty/ },
  { intent: 'statistics', pattern: /mean|average|median|\bmax|\bmin|range|std|deviation|skew|kurtosis|quartile|distribution|statistic/ },
  { intent: 'summary', pattern: /summar|overview|describe|tell me|about the data|what is in|what's in|explain/ },
];

function namedFeatures(question: string, report: EdaReport): string[] {
  const q = question.toLowerCase();
  return report.features
    .map((f) => f.name)
    .filter((name) => {
      const escaped = name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`(^|[^a-z0-9_])${escaped}($|[^a-z0-9_])`).test(q);
    });
}

function pick(report: EdaReport, names: string[]): FeatureEda[] {
  return names.length > 0 ? report.features.filter((f) => names.includes(f.name)) : report.features;
}

export function answerQuestion(question: string, report: EdaReport): QuestionAnswer {
  const q = question.toLowerCase();
  const features = namedFeatures(question, report);
  const matched = INTENTS.find((i) => i.pattern.test(q));
  const intent: QuestionIntent = matched?.intent ?? 'summary';
  const chosen = pick(report, features);
  const base = { intent, fallback: matched === undefined, features };

  switch (intent) {
    case 'volatility': {
      const ranked = chosen
        .filter((f) => f.volatility.ratio !== null)
        .sort((a, b) => b.volatility.ratio! - a.volatility.ratio!)
        .map((f) => ({ feature: f.name, ratio: f.volatility.ratio, diffStd: f.volatility.diffStd, cv: f.volatility.cv }));
      const top = ranked[0];
      const answer = top
        ? `${top.feature} is the most volatile: its one-step changes have ${fmt(top.ratio, 2)} × the standard deviation of its level` +
          (ranked.length > 1 ? `; ranking: ${ranked.map((r) => `${r.feature} ${fmt(r.ratio, 2)}`).join(', ')}.` : '.')
        : 'Volatility could not be computed (constant or empty features).';
      return { ...base, answer, facts: { measure: 'std(diff(x)) / std(x)', ranking: ranked } };
    }
    case 'stationarity': {
      const facts = chosen.map((f) => ({
        feature: f.name,
        verdict: f.stationarity.verdict,
        adfPValue: f.stationarity.adf?.pValue ?? null,
        kpssPValue: f.stationarity.kpss?.pValue ?? null,
        kpssPValueBound: f.stationarity.kpss?.pValueBound ?? null,
        points: f.stationarity.points,
      }));
      const answer = chosen.map((f) => `${f.name}: ${f.stationarity.explanation}`).join(' ');
      return { ...base, answer, facts: { alpha: 0.05, features: facts } };
    }
    case 'seasonality': {
      const facts = chosen.map((f) => ({
        feature: f.name,
        periods: f.seasonality.dominantPeriods.map((p) => ({ label: p.label, steps: p.steps, powerShare: p.powerShare })),
        seasonalStrength: f.seasonality.seasonalStrength,
      }));
      const common = commonPeriods(chosen);
      const answer =
        common.length === 0
          ? 'No clear periodicity was found.'
          : `Dominant periods: ${common
              .slice(0, 4)
              .map((p) => `${p.label} (${p.features.length}/${chosen.length} features)`)
              .join(', ')}. ` +
            chosen
              .map((f) => `${f.name}: ${f.seasonality.dominantPeriods.map((p) => p.label).join(', ') || 'none'} (seasonal strength ${fmt(f.seasonality.seasonalStrength, 2)})`)
              .join('; ') +
            '.';
      return { ...base, answer, facts: { common: common.slice(0, 4), features: facts } };
    }
    case 'correlation': {
      let pairs = report.correlation.topPairs;
      if (features.length === 1) {
        const cols = report.correlation.columns;
        const i = cols.indexOf(features[0]!);
        pairs = cols
          .map((b, j) => ({ a: features[0]!, b, r: report.correlation.matrix[i]![j] ?? null }))
          .filter((p): p is { a: string; b: string; r: number } => p.b !== features[0] && p.r !== null)
          .sort((x, y) => Math.abs(y.r) - Math.abs(x.r));
      } else if (features.length > 1) {
        pairs = pairs.filter((p) => features.includes(p.a) && features.includes(p.b));
        if (pairs.length === 0) {
          const cols = report.correlation.columns;
          const [a, b] = features as [string, string];
          const r = report.correlation.matrix[cols.indexOf(a)]![cols.indexOf(b)] ?? null;
          pairs = r === null ? [] : [{ a, b, r }];
        }
      }
      const shown = pairs.slice(0, 5);
      const answer =
        shown.length === 0
          ? 'No correlation could be computed.'
          : `Strongest Pearson correlations: ${shown.map((p) => `${p.a}–${p.b} r=${fmt(p.r, 2)}`).join(', ')}.`;
      return { ...base, answer, facts: { method: 'pearson', pairs: shown } };
    }
    case 'outliers': {
      const facts = chosen
        .map((f) => ({
          feature: f.name,
          robustZCount: f.outliers.robustZ.count,
          iqrCount: f.outliers.iqr.count,
          top: f.outliers.top.slice(0, 3).map((o) => ({ time: o.time, index: o.index, value: o.value, robustZ: o.robustZ })),
        }))
        .sort((a, b) => b.robustZCount - a.robustZCount);
      const answer = facts
        .map(
          (f) =>
            `${f.feature}: ${f.robustZCount} points with |robust z| > 3.5, ${f.iqrCount} outside the IQR fences` +
            (f.top[0] ? `; most extreme ${fmt(f.top[0].value)} at ${f.top[0].time ?? `row ${f.top[0].index}`} (z ${fmt(f.top[0].robustZ, 2)})` : ''),
        )
        .join('. ');
      return { ...base, answer: answer + '.', facts: { robustZThreshold: 3.5, iqrK: 1.5, features: facts } };
    }
    case 'trend': {
      const facts = chosen
        .map((f) => ({ feature: f.name, trendStrength: f.seasonality.trendStrength, verdict: f.stationarity.verdict, mean: f.stats.mean }))
        .sort((a, b) => (b.trendStrength ?? 0) - (a.trendStrength ?? 0));
      const answer = `Trend strength (0 = none, 1 = all non-seasonal variation is trend): ${facts
        .map((f) => `${f.feature} ${fmt(f.trendStrength, 2)}`)
        .join(', ')}.`;
      return { ...base, answer, facts: { features: facts } };
    }
    case 'missing': {
      const facts = chosen.map((f) => ({ feature: f.name, missing: f.stats.missing, count: f.stats.count }));
      const total = facts.reduce((s, f) => s + f.missing, 0);
      const answer =
        total === 0
          ? 'No missing values in the analysed data.'
          : `Missing values: ${facts.filter((f) => f.missing > 0).map((f) => `${f.feature} ${f.missing}`).join(', ')}.`;
      return { ...base, answer, facts: { features: facts } };
    }
    case 'statistics': {
      const facts = chosen.map((f) => ({ feature: f.name, ...f.stats }));
      const answer = chosen
        .map(
          (f) =>
            `${f.name}: mean ${fmt(f.stats.mean)}, std ${fmt(f.stats.std)}, min ${fmt(f.stats.min)}, median ${fmt(f.stats.median)}, max ${fmt(f.stats.max)}, skewness ${fmt(f.stats.skewness, 2)}, excess kurtosis ${fmt(f.stats.kurtosis, 2)}`,
        )
        .join('; ');
      return { ...base, answer: answer + '.', facts: { features: facts } };
    }
    case 'summary':
    default: {
      const { context, ...rest } = report;
      const answer = context || buildContext(rest);
      return {
        ...base,
        answer: matched ? answer : `${answer} (I can answer questions about volatility, stationarity, seasonality, correlations, outliers, trend, missing values and summary statistics.)`,
        facts: { context: answer, dataset: report.dataset },
      };
    }
  }
}
