/**
 * Host-side anomaly metrics against hand-computed cases and against reference numbers.
 *
 * The VUS fixture numbers were produced by TSB-AD's own `RangeAUC_volume_opt` (github
 * TheDatumOrg/TSB-AD, commit 8763009, 250 thresholds) run on exactly these series; the AP /
 * ROC-AUC / F1 numbers by separate naive numpy code written from the definitions. They are
 * pinned here, not recomputed, so this test fails if the TypeScript drifts from the reference.
 */
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  chooseThreshold,
  eventRecall,
  events,
  flag,
  oracleF1,
  pointF1,
  rocAuc,
  scoreDetector,
  vus,
  vusBuffer,
} from '../../../engine/anomaly/metrics.js';

/** An integer LCG that is exact in doubles, so Python and TypeScript build the same series. */
function lcg(n: number, seed: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 75 + 74) % 65537;
    out.push(x / 65537);
  }
  return out;
}

function labels(n: number, ranges: Array<[number, number]>): number[] {
  const y = new Array<number>(n).fill(0);
  for (const [a, b] of ranges) for (let i = a; i < b; i++) y[i] = 1;
  return y;
}

const fixtures = {
  A: (() => {
    const y = labels(30, [
      [5, 9],
      [20, 22],
    ]);
    const s = [0.1, 0.3, 0.2, 0.5, 0.4, 0.9, 0.7, 0.35, 0.8, 0.6, 0.1, 0.2, 0.25, 0.3, 0.15, 0.05, 0.45, 0.5, 0.55, 0.65, 0.95, 0.3, 0.2, 0.1, 0.05, 0.0, 0.12, 0.22, 0.32, 0.42];
    return { s, y, buffer: 6 };
  })(),
  B: (() => {
    const y = labels(500, [
      [50, 70],
      [200, 205],
      [212, 220],
      [495, 500],
    ]);
    const s = lcg(500, 1).map((v, i) => v + 0.6 * y[i]!);
    for (let i = 45; i < 50; i++) s[i]! += 0.3;
    for (let i = 70; i < 74; i++) s[i]! += 0.2;
    return { s, y, buffer: 20 };
  })(),
  C: (() => {
    // Many ties (values on a 0.1 grid), an event at row 0.
    const y = labels(200, [
      [0, 6],
      [100, 130],
    ]);
    const s = lcg(200, 7).map((v, i) => Math.round((Math.round(v * 5) / 5 + 0.2 * y[i]!) * 10) / 10);
    return { s, y, buffer: 9 };
  })(),
};

// Reference values (see the header).
const reference = {
  A: { vusPr: 0.9009360080029596, vusRoc: 0.9466010816571446, vusPrConst: 0.33718540378316597, ap: 0.7895927601809954, roc: 0.875 },
  B: { vusPr: 0.7862731634862864, vusRoc: 0.9496121831404717, vusPrConst: 0.1263786944180542, ap: 0.7089656144443084, roc: 0.9165527455001139 },
  C: { vusPr: 0.30460057259772977, vusRoc: 0.6299536070203824, vusPrConst: 0.20462224749681032, ap: 0.3358513833456744, roc: 0.6172933604336044 },
} as const;

describe('anomaly metrics', () => {
  it('ROC-AUC and average precision on hand-computed cases', () => {
    // pairs (pos, neg): 0.4 beats both, 0.2 beats 0.1 only → 3/4
    expect(rocAuc([0.4, 0.3, 0.2, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.75, 12);
    // descending: pos (P=1, R=.5), neg, pos (P=2/3, R=1) → AP = .5 + .5·2/3
    expect(averagePrecision([0.4, 0.3, 0.2, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
    // A constant score: ROC 0.5 and AP = the label rate (the no-skill values).
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 0])).toBe(0.5);
    expect(averagePrecision([1, 1, 1, 1], [0, 1, 0, 0])).toBe(0.25);
    expect(rocAuc([1, 2], [0, 0])).toBeNull();
    expect(averagePrecision([1, 2], [0, 0])).toBeNull();
    // Non-finite scores rank last.
    expect(rocAuc([NaN, 0.1, 0.2], [0, 1, 0])).toBe(0.5);
  });

  it('point-wise F1 is not point-adjusted; event recall counts events with any flag', () => {
    const y = [0, 0, 1, 1, 1, 0, 0, 1, 0, 0];
    const f = [0, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    // TP 1, flagged 2, positives 4 → F1 = 2/6; one of two events touched
    expect(pointF1(y, f)!.f1).toBeCloseTo(1 / 3, 12);
    expect(pointF1(y, f)!.precision).toBe(0.5);
    expect(pointF1(y, f)!.recall).toBe(0.25);
    expect(eventRecall(y, f)).toBe(0.5);
    expect(events(y)).toEqual([
      [2, 4],
      [7, 7],
    ]);
    expect(pointF1([0, 0], [1, 1])).toBeNull();
    // Oracle F1 (threshold picked on these rows): cut 0.2 flags 3 rows with both positives → 4/5.
    expect(oracleF1([0.4, 0.3, 0.2, 0.1], [1, 0, 1, 0])).toEqual({ f1: 0.8, threshold: 0.2 });
  });

  it.each(['A', 'B', 'C'] as const)('fixture %s matches the reference AP, ROC-AUC and VUS', (name) => {
    const { s, y, buffer } = fixtures[name];
    const ref = reference[name];
    expect(averagePrecision(s, y)).toBeCloseTo(ref.ap, 10);
    expect(rocAuc(s, y)).toBeCloseTo(ref.roc, 10);
    const v = vus(s, y, buffer)!;
    expect(v.pr).toBeCloseTo(ref.vusPr, 10);
    expect(v.roc).toBeCloseTo(ref.vusRoc, 10);
    expect(vus(new Array<number>(s.length).fill(0), y, buffer)!.pr).toBeCloseTo(ref.vusPrConst, 10);
  });

  it('VUS with a zero buffer is range-AP with existence reward only', () => {
    // One event of 2 rows in 4; the score ranks them first: AP = 1.
    expect(vus([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0], 0)!.pr).toBeCloseTo(1, 12);
    expect(vus([1, 2], [0, 0], 4)).toBeNull();
  });

  it('thresholds come from validation: a quantile, or best F1 when validation has events', () => {
    const q = chooseThreshold([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], null, 0.9);
    expect(q).toEqual({ value: 9, rule: 'val_quantile', quantile: 0.9 });
    // Flagging rows strictly above 0.5 catches both events rows and one normal: F1 = 4/5.
    const b = chooseThreshold([0.1, 0.9, 0.8, 0.6, 0.2, 0.5], [0, 1, 1, 0, 0, 0]);
    expect(b.rule).toBe('val_best_f1');
    expect(b.value).toBe(0.6);
    expect(pointF1([0, 1, 1, 0, 0, 0], flag([0.1, 0.9, 0.8, 0.6, 0.2, 0.5], b.value))!.f1).toBe(1);
  });

  it('scoreDetector reports the no-skill values beside each metric', () => {
    const { s, y, buffer } = fixtures.B;
    const thr = chooseThreshold(s.slice(0, 40), null, 0.8);
    const d = scoreDetector(s, y, thr, buffer);
    const rate = 38 / 500;
    expect(d.labelRate).toBeCloseTo(rate, 12);
    expect(d.noSkill.prAuc).toBeCloseTo(rate, 12);
    expect(d.noSkill.rocAuc).toBe(0.5);
    expect(d.noSkill.f1).toBeCloseTo((2 * rate) / (1 + rate), 12);
    expect(d.noSkill.vusPr).toBeCloseTo(reference.B.vusPrConst, 10);
    expect(d.events).toBe(4);
    const flags = flag(s, thr.value);
    expect(d.flaggedRows).toBe(flags.reduce((a, b) => a + b, 0));
    expect(d.f1).toBeCloseTo(pointF1(y, flags)!.f1, 12);
  });

  it('the VUS buffer is the autocorrelation period, 125 when there is none', () => {
    const x = Array.from({ length: 2000 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
    expect(vusBuffer(x)).toBe(24);
    expect(vusBuffer([1, 2, 3])).toBe(125);
  });
});
