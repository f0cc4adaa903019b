/**
 * Parzen estimators for TPE: one density per parameter, fitted on a set of weighted
 * observations, that can be sampled and evaluated.
 *
 * Numeric parameters: a mixture of Gaussians truncated to the parameter's range, in log space
 * for log distributions, one component per observation plus a wide "prior" component centred
 * on the range (mean (low+high)/2, sd high-low) that keeps the density positive everywhere.
 * Component widths follow Optuna's default (univariate, consider_endpoints=false): each
 * observation's sd is the larger gap to its sorted neighbours (the outermost ones use their only
 * inner neighbour), then clipped to [range / min(100, 1 + n_components), range] — the
 * "magic clip", which stops a few clustered observations from collapsing into spikes.
 *
 * Integers use the same mixture over [low - step/2, high + step/2]; a value's probability is
 * the mass of its bin, so l/g compares probabilities of the values that can actually occur.
 *
 * Categoricals: each observation is a kernel putting mass 1 + prior/n_kernels on its own value
 * and prior/n_kernels on every value (normalised), plus a uniform prior kernel — smoothed counts
 * that never rule a choice out.
 */
import type { CategoricalDistribution, FloatDistribution, IntDistribution, Scalar } from '../space.js';
import { scalarKey } from '../space.js';
import type { Rng } from '../rng.js';
import { clamp } from './random.js';

export interface ParzenOptions {
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
}

export const DEFAULT_PARZEN: ParzenOptions = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };

export interface Estimator {
  sample(rng: Rng): Scalar;
  logPdf(x: Scalar): number;
}

// ---- numerics ------------------------------------------------------------------------------

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Floor for probabilities so logs stay finite; far below anything the prior component allows. */
const TINY = 1e-300;

/**
 * Complementary error function, Chebyshev-fitted form with fractional error < 1.2e-7 over the
 * whole line. The multiplicative exp(-z²) factor keeps relative accuracy in the tails, which is
 * what log-densities of truncated Gaussians need.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** P(a < Z < b) for a standard normal Z, computed on the side that avoids cancellation. */
export function normalMass(a: number, b: number): number {
  if (!(b > a)) return 0;
  if (a >= 0) return 0.5 * (erfc(a / SQRT2) - erfc(b / SQRT2));
  if (b <= 0) return 0.5 * (erfc(-b / SQRT2) - erfc(-a / SQRT2));
  return 1 - 0.5 * erfc(-a / SQRT2) - 0.5 * erfc(b / SQRT2);
}

export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Optuna's default_weights: flat for the last 25 observations, a linear ramp down for older ones. */
export function defaultWeights(n: number): number[] {
  if (n <= 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const m = n - 25;
  const start = 1 / n;
  const ramp = Array.from({ length: m }, (_, i) => (m === 1 ? start : start + ((1 - start) * i) / (m - 1)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

function normalise(ws: readonly number[]): number[] {
  const total = ws.reduce((a, b) => a + b, 0);
  return ws.map((w) => w / total);
}

/** Per-observation bandwidths (see the file comment), before the prior is appended. */
export function bandwidths(mus: readonly number[], low: number, high: number, opts: ParzenOptions, nComponents: number): number[] {
  const n = mus.length;
  if (n === 0) return [];
  const order = mus.map((_, i) => i).sort((i, j) => (mus[i] as number) - (mus[j] as number) || i - j);
  const sorted = order.map((i) => mus[i] as number);
  const withEnds = [low, ...sorted, high];
  const sortedSigmas = sorted.map((_, k) => {
    const left = (withEnds[k + 1] as number) - (withEnds[k] as number);
    const right = (withEnds[k + 2] as number) - (withEnds[k + 1] as number);
    return Math.max(left, right);
  });
  if (!opts.considerEndpoints && n >= 2) {
    // The range ends are not observations: let them not inflate the outermost kernels.
    sortedSigmas[0] = (withEnds[2] as number) - (withEnds[1] as number);
    sortedSigmas[n - 1] = (withEnds[n] as number) - (withEnds[n - 1] as number);
  }
  const range = high - low;
  const maxSigma = range;
  const minSigma = opts.considerMagicClip ? range / Math.min(100, 1 + nComponents) : 1e-12;
  const sigmas = new Array<number>(n);
  order.forEach((orig, k) => {
    sigmas[orig] = clamp(sortedSigmas[k] as number, minSigma, maxSigma);
  });
  return sigmas;
}

type NumericDistribution = FloatDistribution | IntDistribution;

/** Internal (possibly log) coordinates and the interval the mixture is truncated to. */
function numericFrame(d: NumericDistribution): { low: number; high: number; to: (x: number) => number; from: (y: number) => number } {
  const half = d.kind === 'int' ? d.step / 2 : 0;
  const to = d.log ? Math.log : (x: number) => x;
  const from = d.log ? Math.exp : (y: number) => y;
  return { low: to(d.low - half), high: to(d.high + half), to, from };
}

export class NumericParzen implements Estimator {
  readonly mus: number[];
  readonly sigmas: number[];
  readonly weights: number[];
  private readonly logWeights: number[];
  private readonly logZ: number[];
  private readonly frame: ReturnType<typeof numericFrame>;

  constructor(
    private readonly dist: NumericDistribution,
    observations: readonly number[],
    obsWeights: readonly number[],
    opts: ParzenOptions = DEFAULT_PARZEN,
  ) {
    this.frame = numericFrame(dist);
    const { low, high } = this.frame;
    const mus = observations.map((x) => this.frame.to(x));
    const center = 0.5 * (low + high);
    // As in Optuna, the prior's centre takes part in the neighbour gaps; its own width is then
    // replaced by the whole range.
    const withPrior = [...mus, center];
    const sigmas = bandwidths(withPrior, low, high, opts, withPrior.length).slice(0, mus.length);
    this.mus = withPrior;
    this.sigmas = [...sigmas, high - low];
    this.weights = normalise([...obsWeights, opts.priorWeight]);
    this.logWeights = this.weights.map((w) => Math.log(w));
    this.logZ = this.mus.map((mu, k) => Math.log(Math.max(TINY, normalMass((low - mu) / this.sig(k), (high - mu) / this.sig(k)))));
  }

  private sig(k: number): number {
    return this.sigmas[k] as number;
  }

  sample(rng: Rng): number {
    const { low, high } = this.frame;
    const k = rng.weightedIndex(this.weights);
    const mu = this.mus[k] as number;
    const sigma = this.sig(k);
    // Every mean lies inside the range and sd <= range, so at least ~1/3 of each component's
    // mass is inside: rejection terminates fast. The cap only guards against the impossible.
    let y = Number.NaN;
    for (let i = 0; i < 64; i++) {
      const c = rng.normal(mu, sigma);
      if (c >= low && c <= high) {
        y = c;
        break;
      }
    }
    if (Number.isNaN(y)) y = rng.uniform(low, high);
    return this.snap(this.frame.from(y));
  }

  /** Back onto the distribution's support: clamp floats, round integers to the step grid. */
  private snap(x: number): number {
    const d = this.dist;
    if (d.kind === 'float') return clamp(x, d.low, d.high);
    return clamp(d.low + Math.round((x - d.low) / d.step) * d.step, d.low, d.high);
  }

  logPdf(x: Scalar): number {
    if (typeof x !== 'number') return -Infinity;
    const d = this.dist;
    const terms = this.mus.map((mu, k) => {
      const sigma = this.sig(k);
      let logP: number;
      if (d.kind === 'float') {
        const z = (this.frame.to(x) - mu) / sigma;
        logP = -0.5 * z * z - Math.log(sigma) - LOG_SQRT_2PI;
      } else {
        const a = (this.frame.to(x - d.step / 2) - mu) / sigma;
        const b = (this.frame.to(x + d.step / 2) - mu) / sigma;
        logP = Math.log(Math.max(TINY, normalMass(a, b)));
      }
      return (this.logWeights[k] as number) + logP - (this.logZ[k] as number);
    });
    return logSumExp(terms);
  }
}

export class CategoricalParzen implements Estimator {
  /** The mixture collapsed to one probability per choice (same distribution, simpler to use). */
  readonly probs: number[];
  private readonly index: Map<string, number>;

  constructor(
    private readonly dist: CategoricalDistribution,
    observations: readonly Scalar[],
    obsWeights: readonly number[],
    opts: ParzenOptions = DEFAULT_PARZEN,
  ) {
    const nChoices = dist.choices.length;
    this.index = new Map(dist.choices.map((c, i) => [scalarKey(c), i]));
    if (observations.length === 0) {
      this.probs = new Array<number>(nChoices).fill(1 / nChoices);
      return;
    }
    const nKernels = observations.length + 1;
    const smooth = opts.priorWeight / nKernels;
    const mix = normalise([...obsWeights, opts.priorWeight]);
    const probs = new Array<number>(nChoices).fill(0);
    // Observation kernels: smooth everywhere, +1 on the observed value, normalised.
    const kernelTotal = 1 + smooth * nChoices;
    observations.forEach((obs, i) => {
      const w = mix[i] as number;
      const hit = this.index.get(scalarKey(obs));
      for (let c = 0; c < nChoices; c++) probs[c] = (probs[c] as number) + (w * (smooth + (c === hit ? 1 : 0))) / kernelTotal;
    });
    const wPrior = mix[observations.length] as number;
    for (let c = 0; c < nChoices; c++) probs[c] = (probs[c] as number) + wPrior / nChoices;
    this.probs = probs;
  }

  sample(rng: Rng): Scalar {
    return this.dist.choices[rng.weightedIndex(this.probs)] as Scalar;
  }

  logPdf(x: Scalar): number {
    const i = this.index.get(scalarKey(x));
    return i === undefined ? -Infinity : Math.log(Math.max(TINY, this.probs[i] as number));
  }
}
