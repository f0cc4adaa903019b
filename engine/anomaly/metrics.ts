/**
 * Honest anomaly-detection metrics, computed by the host from per-row scores and 0/1 labels.
 *
 * Following the evaluation practice of TSB-AD (Liu & Paparrizos, NeurIPS 2024): threshold-free
 * PR-AUC (average precision), ROC-AUC and VUS-PR / VUS-ROC (Paparrizos et al., VLDB 2022), and
 * threshold-dependent point-wise F1 *without* point adjustment plus event-wise recall, where the
 * threshold comes from validation rows only. Every number has a no-skill value beside it: what a
 * constant score gets (label rate for PR-AUC, 0.5 for ROC-AUC, flagging every row for F1), so a
 * report can say whether a detector learned anything at all.
 *
 * Conventions: labels are 0/1 per row; a row is flagged when its score is strictly above the
 * threshold. Non-finite scores are treated as the lowest score (never flagged, ranked last).
 */
import { acf } from '../eda/seasonality.js';
import { quantileSorted } from '../eda/numeric.js';

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

/** Scores with non-finite values replaced by -Infinity, so they rank last and are never flagged. */
function clean(scores: Scores): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = Number.isFinite(scores[i]!) ? scores[i]! : -Infinity;
  return out;
}

function positives(labels: Labels): number {
  let p = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) p++;
  return p;
}

/** Label rate: the fraction of rows labelled anomalous. */
export function labelRate(labels: Labels): number {
  return labels.length ? positives(labels) / labels.length : NaN;
}

/** ROC-AUC as the Mann-Whitney statistic with average ranks for ties; null without both classes. */
export function rocAuc(scores: Scores, labels: Labels): number | null {
  const n = scores.length;
  const pos = positives(labels);
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  const s = clean(scores);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[x]! - s[y]! || 0);
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]!] === s[order[i]!]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (labels[order[k]!]) rankSum += avg;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Average precision: Σ (R_k − R_{k−1}) · P_k over the distinct score values in descending order,
 * flagging `score ≥ value` at each (the step-wise PR-AUC of sklearn's average_precision_score,
 * which TSB-AD reports as AUC-PR). Null without positives.
 */
export function averagePrecision(scores: Scores, labels: Labels): number | null {
  const n = scores.length;
  const pos = positives(labels);
  if (n === 0 || pos === 0) return null;
  const s = clean(scores);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[y]! - s[x]! || 0);
  let tp = 0;
  let flagged = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let i = 0; i < n; i++) {
    if (labels[order[i]!]) tp++;
    flagged++;
    if (i === n - 1 || s[order[i + 1]!] !== s[order[i]!]) {
      const recall = tp / pos;
      ap += (recall - prevRecall) * (tp / flagged);
      prevRecall = recall;
    }
  }
  return ap;
}

/** Rows flagged by a threshold: score strictly above it. */
export function flag(scores: Scores, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = Number.isFinite(scores[i]!) && scores[i]! > threshold ? 1 : 0;
  return out;
}

export interface PointScores {
  f1: number;
  precision: number;
  recall: number;
  flagged: number;
}

/** Point-wise precision/recall/F1 of flagged rows, no point adjustment; null without positives. */
export function pointF1(labels: Labels, flags: Labels): PointScores | null {
  const pos = positives(labels);
  if (pos === 0) return null;
  let tp = 0;
  let fl = 0;
  for (let i = 0; i < labels.length; i++) {
    if (flags[i]) {
      fl++;
      if (labels[i]) tp++;
    }
  }
  const precision = fl ? tp / fl : 0;
  const recall = tp / pos;
  return { f1: tp ? (2 * tp) / (fl + pos) : 0, precision, recall, flagged: fl };
}

/**
 * Oracle point-wise F1: the best over every cut-off chosen on the scored rows themselves
 * (flagging `score ≥ value`). Optimistic by construction; reported for reference only.
 */
export function oracleF1(scores: Scores, labels: Labels): { f1: number; threshold: number } | null {
  const n = scores.length;
  const pos = positives(labels);
  if (n === 0 || pos === 0) return null;
  const s = clean(scores);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[y]! - s[x]! || 0);
  let tp = 0;
  let best = { f1: -1, threshold: s[order[0]!]! };
  for (let i = 0; i < n; i++) {
    if (labels[order[i]!]) tp++;
    if (i === n - 1 || s[order[i + 1]!] !== s[order[i]!]) {
      const f1 = tp ? (2 * tp) / (i + 1 + pos) : 0;
      if (f1 > best.f1) best = { f1, threshold: s[order[i]!]! };
    }
  }
  return best;
}

/** Labelled events: maximal runs of 1s as inclusive [start, end] row pairs. */
export function events(labels: Labels): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    let j = i;
    while (j + 1 < labels.length && labels[j + 1]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Fraction of labelled events with at least one flagged row; null without events. */
export function eventRecall(labels: Labels, flags: Labels): number | null {
  const ev = events(labels);
  if (ev.length === 0) return null;
  let hit = 0;
  for (const [a, b] of ev) {
    for (let i = a; i <= b; i++) {
      if (flags[i]) {
        hit++;
        break;
      }
    }
  }
  return hit / ev.length;
}

export interface Vus {
  /** Volume under the range-PR surface: the mean over buffers 0..maxBuffer of range-AP. */
  pr: number;
  /** Volume under the range-ROC surface. */
  roc: number;
  maxBuffer: number;
}

/**
 * VUS-PR and VUS-ROC (Paparrizos et al. 2022) as TSB-AD defines them: for each buffer length
 * w = 0..maxBuffer, every labelled event is widened by ⌊w/2⌋ rows on each side with soft labels
 * √(1 − d/w) at distance d (clipped at 1 where buffers meet); at each of `thresholds` score
 * cut-offs (order statistics picked evenly from the descending scores, flagging `score ≥ cut`),
 *   TP        = flagged event rows + Σ soft label of flagged buffer rows,
 *   P'        = (P + P + Σ soft label of flagged buffer rows) / 2,
 *   existence = share of widened (merged) ranges with any flagged row,
 *   TPR       = min(TP / P', 1) · existence,  FPR = (flagged − TP) / (n − P'),  precision = TP / flagged.
 * Range-AP is Σ ΔTPR · precision from a start of (0, 0); range-AUC the trapezoid of (FPR, TPR) from
 * (0, 0) to a closing (1, 1). Null when there are no events or no normal rows.
 */
export function vus(scores: Scores, labels: Labels, maxBuffer: number, thresholds = 250): Vus | null {
  const n = scores.length;
  const P = positives(labels);
  if (n === 0 || P === 0 || P === n) return null;
  const W = Math.max(0, Math.floor(maxBuffer));
  const s = clean(scores);
  const desc = Float64Array.from(s).sort().reverse();
  const ev = events(labels);
  // Cut-offs, how many rows each flags, and how many event rows it flags.
  const cuts = new Float64Array(thresholds);
  const nFlag = new Float64Array(thresholds);
  const eventHit = new Float64Array(thresholds);
  const eventScores = Float64Array.from(ev.flatMap(([a, b]) => Array.from(s.subarray(a, b + 1)))).sort().reverse();
  for (let k = 0; k < thresholds; k++) {
    const idx = thresholds > 1 ? Math.floor((k * (n - 1)) / (thresholds - 1)) : 0;
    cuts[k] = desc[idx]!;
    nFlag[k] = countAtLeast(desc, cuts[k]!);
    eventHit[k] = countAtLeast(eventScores, cuts[k]!);
  }
  let apSum = 0;
  let aucSum = 0;
  for (let w = 0; w <= W; w++) {
    const half = Math.floor(w / 2);
    // Soft labels of buffer rows (outside every event), summed where two buffers overlap, then clipped.
    const soft = new Map<number, number>();
    for (const [a, b] of ev) {
      for (let i = b + 1; i <= Math.min(b + half, n - 1); i++) if (!labels[i]) soft.set(i, (soft.get(i) ?? 0) + Math.sqrt(1 - (i - b) / w));
      for (let i = Math.max(a - half, 0); i < a; i++) if (!labels[i]) soft.set(i, (soft.get(i) ?? 0) + Math.sqrt(1 - (a - i) / w));
    }
    // Buffer rows by descending score with prefix sums of their soft labels.
    const buf = [...soft.entries()].map(([i, v]) => [s[i]!, Math.min(1, v)] as const).sort((x, y) => y[0] - x[0]);
    const bufScores = Float64Array.from(buf, (x) => x[0]);
    const bufPrefix = new Float64Array(buf.length + 1);
    for (let i = 0; i < buf.length; i++) bufPrefix[i + 1] = bufPrefix[i]! + buf[i]![1];
    // Widened ranges, merged when they touch, each with its highest score (for existence).
    const ranges: number[] = [];
    let lo = Math.max(ev[0]![0] - half, 0);
    let hi = ev[0]![1] + half;
    for (let e = 1; e < ev.length; e++) {
      if (hi < ev[e]![0] - half) {
        ranges.push(maxOf(s, lo, Math.min(hi, n - 1)));
        lo = ev[e]![0] - half;
      }
      hi = ev[e]![1] + half;
    }
    ranges.push(maxOf(s, lo, Math.min(hi, n - 1)));
    let prevTpr = 0;
    let prevFpr = 0;
    let ap = 0;
    let auc = 0;
    for (let k = 0; k < thresholds; k++) {
      const c = cuts[k]!;
      const softHit = bufPrefix[countAtLeast(bufScores, c)]!;
      const tp = eventHit[k]! + softHit;
      const pNew = P + softHit / 2;
      let exist = 0;
      for (const m of ranges) if (m >= c) exist++;
      const tpr = Math.min(tp / pNew, 1) * (exist / ranges.length);
      const fpr = (nFlag[k]! - tp) / (n - pNew);
      ap += (tpr - prevTpr) * (tp / nFlag[k]!);
      auc += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
      prevTpr = tpr;
      prevFpr = fpr;
    }
    auc += ((1 - prevFpr) * (1 + prevTpr)) / 2;
    apSum += ap;
    aucSum += auc;
  }
  return { pr: apSum / (W + 1), roc: aucSum / (W + 1), maxBuffer: W };
}

/** Entries of a descending array that are ≥ v (binary search). */
function countAtLeast(desc: Float64Array, v: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (desc[mid]! >= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function maxOf(s: Float64Array, a: number, b: number): number {
  let m = -Infinity;
  for (let i = a; i <= b; i++) if (s[i]! > m) m = s[i]!;
  return m;
}

/**
 * The VUS buffer TSB-AD uses: the lag of the highest local maximum of the autocorrelation
 * (lags 3..400, first 20 000 rows), or 125 when that lag is outside 3..300 or there is none.
 */
export function vusBuffer(x: ArrayLike<number>): number {
  const finite = Float64Array.from(Array.from(x).slice(0, 20_000).filter(Number.isFinite));
  if (finite.length < 8) return 125;
  const r = acf(finite, 400);
  let best = -1;
  let bestVal = -Infinity;
  for (let k = 4; k < r.length - 1; k++) {
    if (r[k]! > r[k - 1]! && r[k]! > r[k + 1]! && r[k]! > bestVal) {
      bestVal = r[k]!;
      best = k;
    }
  }
  return best < 6 || best > 303 ? 125 : best;
}

export type ThresholdRule = 'val_best_f1' | 'val_quantile';
export interface Threshold {
  value: number;
  rule: ThresholdRule;
  /** The quantile used (val_quantile). */
  quantile: number | null;
}

/**
 * The alarm threshold, from validation rows only: the F1-best cut-off on validation when it has
 * labelled events and normal rows, else the `q` quantile of the validation scores (numpy's linear).
 */
export function chooseThreshold(valScores: Scores, valLabels: Labels | null, q = 0.99): Threshold {
  const pos = valLabels ? positives(valLabels) : 0;
  if (valLabels && pos > 0 && pos < valLabels.length && valLabels.length === valScores.length) {
    const s = clean(valScores);
    // Candidate cut-offs are the distinct validation scores; each flags the rows strictly above it.
    const order = Array.from({ length: s.length }, (_, i) => i).sort((x, y) => s[y]! - s[x]!);
    let tp = 0;
    let best = -1;
    let at = s[order[0]!]!;
    for (let i = 0; i < order.length; i++) {
      // Rows order[0..i-1] are strictly above s[order[i]] once the run of ties ends.
      if (i === 0 || s[order[i]!] !== s[order[i - 1]!]) {
        const f1 = tp ? (2 * tp) / (i + pos) : 0;
        if (f1 > best) {
          best = f1;
          at = s[order[i]!]!;
        }
      }
      if (valLabels[order[i]!]) tp++;
    }
    return { value: at, rule: 'val_best_f1', quantile: null };
  }
  const sorted = Float64Array.from(Array.from(valScores).filter(Number.isFinite)).sort();
  return { value: sorted.length ? quantileSorted(sorted, q) : Infinity, rule: 'val_quantile', quantile: q };
}

export interface DetectorScores {
  rows: number;
  labelledRows: number;
  events: number;
  labelRate: number;
  prAuc: number | null;
  rocAuc: number | null;
  vusPr: number | null;
  vusRoc: number | null;
  vusBuffer: number;
  threshold: Threshold;
  f1: number | null;
  precision: number | null;
  recall: number | null;
  eventRecall: number | null;
  flaggedRows: number;
  /** What a constant score gets on the same rows: the bar every detector must clear. */
  noSkill: { prAuc: number | null; rocAuc: number | null; vusPr: number | null; f1: number | null };
}

/** Every metric of one detector's test scores, with a threshold fixed beforehand from validation. */
export function scoreDetector(testScores: Scores, testLabels: Labels, threshold: Threshold, buffer: number): DetectorScores {
  const flags = flag(testScores, threshold.value);
  const pf = pointF1(testLabels, flags);
  const v = vus(testScores, testLabels, buffer);
  const rate = labelRate(testLabels);
  const constant = new Float64Array(testScores.length);
  const vc = vus(constant, testLabels, buffer);
  const has = positives(testLabels) > 0;
  return {
    rows: testScores.length,
    labelledRows: positives(testLabels),
    events: events(testLabels).length,
    labelRate: rate,
    prAuc: averagePrecision(testScores, testLabels),
    rocAuc: rocAuc(testScores, testLabels),
    vusPr: v?.pr ?? null,
    vusRoc: v?.roc ?? null,
    vusBuffer: Math.floor(buffer),
    threshold,
    f1: pf?.f1 ?? null,
    precision: pf?.precision ?? null,
    recall: pf?.recall ?? null,
    eventRecall: eventRecall(testLabels, flags),
    flaggedRows: flags.reduce((a, b) => a + b, 0),
    noSkill: {
      prAuc: has ? rate : null,
      rocAuc: has && rate < 1 ? 0.5 : null,
      vusPr: vc?.pr ?? null,
      f1: has ? (2 * rate) / (1 + rate) : null,
    },
  };
}
