/**
 * Unit-root (ADF) and stationarity (KPSS) tests, written to reproduce statsmodels 0.13/0.14
 * `adfuller(x, regression='c', autolag='AIC')` and `kpss(x, regression='c', nlags='auto')`, so
 * numbers can be cross-checked against the reference anyone can run.
 */
import { GenAutoMLError } from '../errors.js';
import { backSolve, cholesky, forwardSolve, gram } from './linalg.js';
import { normalCdf, polyval } from './numeric.js';

export interface AdfResult {
  statistic: number;
  pValue: number;
  usedLag: number;
  maxLag: number;
  /** Observations in the final regression. */
  nobs: number;
  criticalValues: { '1%': number; '5%': number; '10%': number };
  /** Best AIC found during lag selection (statsmodels' `icbest`). */
  icBest: number;
}

/*
 * MacKinnon (1994) response-surface coefficients for the approximate asymptotic p-value of the
 * tau statistic, constant-only regression, one I(1) series (Table 3 of the paper: the small-p
 * polynomial applies below tau*, the large-p one above it; outside [min, max] p is 0 or 1).
 */
const TAU_MIN_C = -18.83;
const TAU_MAX_C = 2.74;
const TAU_STAR_C = -1.61;
const TAU_SMALLP_C = [2.1659, 1.4412, 3.8269e-2];
const TAU_LARGEP_C = [1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2];

/*
 * MacKinnon (2010), Table 2, constant, N = 1: finite-sample critical values
 * c(T) = b_inf + b1/T + b2/T^2 + b3/T^3.
 */
const TAU_CRIT_C_2010: Record<'1%' | '5%' | '10%', number[]> = {
  '1%': [-3.43035, -6.5393, -16.786, -79.433],
  '5%': [-2.86154, -2.8903, -4.234, -40.04],
  '10%': [-2.56677, -1.5384, -2.809, 0],
};

/** MacKinnon's approximate p-value of an ADF tau statistic (constant, no trend). */
export function mackinnonPValue(tau: number): number {
  if (tau > TAU_MAX_C) return 1;
  if (tau < TAU_MIN_C) return 0;
  return normalCdf(polyval(tau <= TAU_STAR_C ? TAU_SMALLP_C : TAU_LARGEP_C, tau));
}

export function mackinnonCritical(nobs: number): AdfResult['criticalValues'] {
  const inv = Number.isFinite(nobs) ? 1 / nobs : 0;
  return {
    '1%': polyval(TAU_CRIT_C_2010['1%'], inv),
    '5%': polyval(TAU_CRIT_C_2010['5%'], inv),
    '10%': polyval(TAU_CRIT_C_2010['10%'], inv),
  };
}

/**
 * Centred design for Δx_t = a + b x_t + Σ_{j≤lags} c_j Δx_{t-j}, rows t = start .. n-2, with
 * columns [level, lag1 .. lag_lags]. Centring every column and the response is equivalent to
 * including the constant and keeps the normal equations well conditioned.
 */
function adfDesign(x: Float64Array, dx: Float64Array, lags: number, start: number) {
  const n = x.length;
  const rows = n - 1 - start;
  const center = (a: Float64Array): Float64Array => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    const m = s / a.length;
    for (let i = 0; i < a.length; i++) a[i] = a[i]! - m;
    return a;
  };
  const y = center(dx.slice(start, start + rows));
  const cols: Float64Array[] = [center(x.slice(start, start + rows))];
  for (let j = 1; j <= lags; j++) cols.push(center(dx.slice(start - j, start - j + rows)));
  return { y, cols, rows };
}

function tooShort(n: number, what: string): GenAutoMLError {
  return new GenAutoMLError('eda.too_short', `${what} needs more observations than the ${n} available.`, {
    hint: 'Use a longer series (at least a few dozen points) for stationarity tests.',
    details: { n },
  });
}

/** Augmented Dickey-Fuller test with a constant; lag order chosen by AIC up to `maxLag`. */
export function adfTest(x: Float64Array, options: { maxLag?: number } = {}): AdfResult {
  const n = x.length;
  let maxLag = options.maxLag ?? Math.ceil(12 * Math.pow(n / 100, 1 / 4));
  // Same cap as statsmodels: enough rows must remain for the regression with a constant.
  maxLag = Math.min(Math.floor(n / 2) - 2, maxLag);
  if (maxLag < 0 || n < 6) throw tooShort(n, 'The ADF test');
  const dx = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) dx[i] = x[i + 1]! - x[i]!;

  // Lag selection: every candidate uses the same rows (those valid for maxLag), so the AIC values
  // are comparable. The models are nested in column order, so one Cholesky factor of the full
  // Gram matrix gives every candidate's residual sum of squares: SSR_j = y'y - Σ_{i<j} z_i².
  const sel = adfDesign(x, dx, maxLag, maxLag);
  const k = maxLag + 1;
  const { g, xy, yy } = gram(sel.cols, sel.y);
  const l = cholesky(g, k);
  if (!l) throw degenerate(n);
  const z = forwardSolve(l, k, xy);
  let bestLag = 0;
  let bestAic = Infinity;
  let explained = 0;
  const nobsSel = sel.rows;
  for (let j = 0; j < k; j++) {
    explained += z[j]! * z[j]!;
    const ssr = Math.max(yy - explained, Number.MIN_VALUE);
    const params = j + 2; // constant + level + j lags
    const llf = -(nobsSel / 2) * (Math.log(2 * Math.PI) + Math.log(ssr / nobsSel) + 1);
    const aic = -2 * llf + 2 * params;
    // Strictly smaller: on a tie statsmodels keeps the shorter model.
    if (aic < bestAic) {
      bestAic = aic;
      bestLag = j;
    }
  }

  // Final regression on all rows valid for the chosen lag.
  const fin = adfDesign(x, dx, bestLag, bestLag);
  const kf = bestLag + 1;
  const gf = gram(fin.cols, fin.y);
  const lf = cholesky(gf.g, kf);
  if (!lf) throw degenerate(n);
  const beta = backSolve(lf, kf, forwardSolve(lf, kf, gf.xy));
  let ssr = 0;
  for (let r = 0; r < fin.rows; r++) {
    let fit = 0;
    for (let c = 0; c < kf; c++) fit += fin.cols[c]![r]! * beta[c]!;
    const e = fin.y[r]! - fit;
    ssr += e * e;
  }
  const dof = fin.rows - (kf + 1);
  const s2 = ssr / dof;
  const e0 = new Float64Array(kf);
  e0[0] = 1;
  const inv00 = backSolve(lf, kf, forwardSolve(lf, kf, e0))[0]!;
  const statistic = beta[0]! / Math.sqrt(s2 * inv00);
  return {
    statistic,
    pValue: mackinnonPValue(statistic),
    usedLag: bestLag,
    maxLag,
    nobs: fin.rows,
    criticalValues: mackinnonCritical(fin.rows),
    icBest: bestAic,
  };
}

function degenerate(n: number): GenAutoMLError {
  return new GenAutoMLError('eda.degenerate_series', 'The series is constant or exactly collinear with its own lags, so the ADF regression has no solution.', {
    hint: 'Constant or perfectly periodic columns carry no information for a unit-root test; drop them.',
    details: { n },
  });
}

export interface KpssResult {
  statistic: number;
  /** Interpolated from the KPSS table, so it is clipped to [0.01, 0.10]. */
  pValue: number;
  /** 'above' when the true p-value is greater than reported, 'below' when smaller. */
  pValueBound: 'above' | 'below' | null;
  lags: number;
  nobs: number;
  criticalValues: { '10%': number; '5%': number; '2.5%': number; '1%': number };
}

/* Kwiatkowski et al. (1992), Table 1, level stationarity (eta_mu). */
const KPSS_CRIT_C = [0.347, 0.463, 0.574, 0.739];
const KPSS_PVALS = [0.1, 0.05, 0.025, 0.01];

/** Autocovariance sum Σ_t e_t e_{t-i} (no division). */
function lagProduct(e: Float64Array, i: number): number {
  let s = 0;
  for (let t = i; t < e.length; t++) s += e[t]! * e[t - i]!;
  return s;
}

/**
 * Bandwidth by Hobijn, Franses & Ooms (1998): a pilot estimate from n^(2/9) autocovariances, then
 * 1.1447 (s1/s0)^(2/3) n^(1/3) for the Bartlett kernel (statsmodels' nlags='auto').
 */
function kpssAutoLag(e: Float64Array): number {
  const n = e.length;
  const covLags = Math.trunc(Math.pow(n, 2 / 9));
  let s0 = lagProduct(e, 0) / n;
  let s1 = 0;
  for (let i = 1; i <= covLags; i++) {
    const p = lagProduct(e, i) / (n / 2);
    s0 += p;
    s1 += i * p;
  }
  const sHat = s1 / s0;
  return Math.trunc(1.1447 * Math.pow(sHat * sHat, 1 / 3) * Math.pow(n, 1 / 3));
}

/** KPSS test of level stationarity with a Newey-West (Bartlett) long-run variance. */
export function kpssTest(x: Float64Array, options: { lags?: number } = {}): KpssResult {
  const n = x.length;
  if (n < 4) throw tooShort(n, 'The KPSS test');
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = x[i]! - m;
  const lags = Math.min(options.lags ?? kpssAutoLag(e), n - 1);
  let cum = 0;
  let eta = 0;
  for (let i = 0; i < n; i++) {
    cum += e[i]!;
    eta += cum * cum;
  }
  eta /= n * n;
  let s = lagProduct(e, 0);
  for (let i = 1; i <= lags; i++) s += 2 * lagProduct(e, i) * (1 - i / (lags + 1));
  s /= n;
  const statistic = eta / s;
  return {
    statistic,
    ...kpssPValue(statistic),
    lags,
    nobs: n,
    criticalValues: { '10%': KPSS_CRIT_C[0]!, '5%': KPSS_CRIT_C[1]!, '2.5%': KPSS_CRIT_C[2]!, '1%': KPSS_CRIT_C[3]! },
  };
}

/** Linear interpolation in the KPSS table; outside it the p-value is only a bound. */
export function kpssPValue(stat: number): { pValue: number; pValueBound: 'above' | 'below' | null } {
  const first = KPSS_CRIT_C[0]!;
  const last = KPSS_CRIT_C[KPSS_CRIT_C.length - 1]!;
  if (stat <= first) return { pValue: KPSS_PVALS[0]!, pValueBound: stat < first ? 'above' : null };
  if (stat >= last) return { pValue: KPSS_PVALS[KPSS_PVALS.length - 1]!, pValueBound: stat > last ? 'below' : null };
  for (let i = 1; i < KPSS_CRIT_C.length; i++) {
    const c1 = KPSS_CRIT_C[i]!;
    if (stat <= c1) {
      const c0 = KPSS_CRIT_C[i - 1]!;
      const p0 = KPSS_PVALS[i - 1]!;
      const p1 = KPSS_PVALS[i]!;
      return { pValue: p0 + ((stat - c0) / (c1 - c0)) * (p1 - p0), pValueBound: null };
    }
  }
  return { pValue: KPSS_PVALS[KPSS_PVALS.length - 1]!, pValueBound: 'below' };
}
