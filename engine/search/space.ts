/**
 * The search space: typed distributions and a conditional tree over them.
 *
 * Shape used by genautoml: a root categorical `arch` over architecture names; each
 * architecture's own SEARCH_SPACE entries become categoricals named `<arch>.<param>` that are
 * active only when `arch` picks that architecture; shared knobs (`lr`, `revin`, `batch_size`,
 * optionally `lookback`) are always active. `createSpace` accepts any such tree (parents before
 * children), which keeps samplers generic and lets tests build small spaces directly.
 */
import { GenAutoMLError } from '../errors.js';

/** What a parameter can take. `null` is allowed because Python's None is a legitimate choice. */
export type Scalar = string | number | boolean | null;
export type Params = Record<string, Scalar>;

export interface CategoricalDistribution {
  readonly kind: 'categorical';
  readonly choices: readonly Scalar[];
}
export interface FloatDistribution {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
}
export interface IntDistribution {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly step: number;
  readonly log: boolean;
}
export type Distribution = CategoricalDistribution | FloatDistribution | IntDistribution;

/** Active only when `parent` is active and its value is one of `values`. */
export interface Condition {
  readonly parent: string;
  readonly values: readonly Scalar[];
}

export interface ParamSpec {
  readonly name: string;
  readonly distribution: Distribution;
  readonly condition?: Condition;
}

export interface SearchSpace {
  /** Topologically ordered: every parent comes before its children. */
  readonly params: readonly ParamSpec[];
}

export const ARCH_PARAM = 'arch';
function invalid(message: string, hint: string, details?: Record<string, unknown>): GenAutoMLError {
  return new GenAutoMLError('search.invalid_space', message, { hint, ...(details ? { details } : {}) });
}

export function isScalar(v: unknown): v is Scalar {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v))
  );
}

/** A key that tells 1 from "1" and true from "true" (JSON keeps the type). */
export function scalarKey(v: Scalar): string {
  return JSON.stringify(v);
}

export function categorical(choices: readonly Scalar[]): CategoricalDistribution {
  return { kind: 'categorical', choices: [...choices] };
}
export function float(low: number, high: number, opts: { log?: boolean } = {}): FloatDistribution {
  return { kind: 'float', low, high, log: opts.log ?? false };
}
export function int(low: number, high: number, opts: { step?: number; log?: boolean } = {}): IntDistribution {
  return { kind: 'int', low, high, step: opts.step ?? 1, log: opts.log ?? false };
}

export function validateDistribution(name: string, d: Distribution): void {
  switch (d.kind) {
    case 'categorical': {
      if (d.choices.length === 0) {
        throw invalid(`Parameter "${name}" has no choices.`, 'Give at least one value in its list.', { param: name });
      }
      const seen = new Set<string>();
      for (const c of d.choices) {
        if (!isScalar(c)) {
          throw invalid(
            `Parameter "${name}" has a non-scalar choice ${safeJson(c)}.`,
            'Choices must be strings, finite numbers, booleans or null (None); nest nothing.',
            { param: name },
          );
        }
        const k = scalarKey(c);
        if (seen.has(k)) {
          throw invalid(`Parameter "${name}" lists ${k} twice.`, 'Remove the duplicate; it would double its sampling weight.', {
            param: name,
            value: c,
          });
        }
        seen.add(k);
      }
      return;
    }
    case 'float': {
      if (!Number.isFinite(d.low) || !Number.isFinite(d.high) || !(d.low < d.high)) {
        throw invalid(`Parameter "${name}" needs finite low < high, got [${d.low}, ${d.high}].`, 'Fix the bounds.', { param: name });
      }
      if (d.log && !(d.low > 0)) {
        throw invalid(`Log-scaled parameter "${name}" needs low > 0, got ${d.low}.`, 'Use a positive lower bound or drop log.', {
          param: name,
        });
      }
      return;
    }
    case 'int': {
      if (!Number.isSafeInteger(d.low) || !Number.isSafeInteger(d.high) || d.high < d.low) {
        throw invalid(`Parameter "${name}" needs integer low <= high, got [${d.low}, ${d.high}].`, 'Fix the bounds.', { param: name });
      }
      if (!Number.isSafeInteger(d.step) || d.step < 1) {
        throw invalid(`Parameter "${name}" needs a positive integer step, got ${d.step}.`, 'Use step >= 1.', { param: name });
      }
      if ((d.high - d.low) % d.step !== 0) {
        throw invalid(
          `Parameter "${name}": high - low (${d.high - d.low}) is not a multiple of step ${d.step}.`,
          'Adjust high so the grid ends on it.',
          { param: name },
        );
      }
      if (d.log && (d.low < 1 || d.step !== 1)) {
        throw invalid(`Log-scaled integer "${name}" needs low >= 1 and step 1.`, 'Drop log or the step.', { param: name });
      }
      return;
    }
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Validates a hand-made tree: unique names, valid distributions, parents first, conditions on categoricals. */
export function createSpace(params: readonly ParamSpec[]): SearchSpace {
  if (params.length === 0) throw invalid('The search space has no parameters.', 'Add at least one parameter.');
  const byName = new Map<string, ParamSpec>();
  for (const p of params) {
    if (typeof p.name !== 'string' || p.name.length === 0) {
      throw invalid('A parameter has an empty name.', 'Name every parameter.');
    }
    if (byName.has(p.name)) {
      throw invalid(`Parameter "${p.name}" is defined twice.`, 'Parameter names must be unique.', { param: p.name });
    }
    validateDistribution(p.name, p.distribution);
    if (p.condition) {
      const parent = byName.get(p.condition.parent);
      if (!parent) {
        throw invalid(
          `Parameter "${p.name}" depends on "${p.condition.parent}", which is not defined before it.`,
          'List parents before their children.',
          { param: p.name },
        );
      }
      if (parent.distribution.kind !== 'categorical') {
        throw invalid(`Parameter "${p.name}" is conditioned on non-categorical "${parent.name}".`, 'Condition only on categoricals.', {
          param: p.name,
        });
      }
      const keys = new Set(parent.distribution.choices.map(scalarKey));
      for (const v of p.condition.values) {
        if (!isScalar(v) || !keys.has(scalarKey(v))) {
          throw invalid(`Parameter "${p.name}" is conditioned on ${safeJson(v)}, not a choice of "${parent.name}".`, 'Fix the condition.', {
            param: p.name,
          });
        }
      }
    }
    byName.set(p.name, p);
  }
  return { params: params.map((p) => ({ ...p })) };
}

/** Is `value` something `d` could have produced? Used to drop stale history after a space changes. */
export function contains(d: Distribution, value: unknown): boolean {
  switch (d.kind) {
    case 'categorical':
      return isScalar(value) && d.choices.some((c) => scalarKey(c) === scalarKey(value));
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && value >= d.low && value <= d.high;
    case 'int':
      return (
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        value >= d.low &&
        value <= d.high &&
        (value - d.low) % d.step === 0
      );
  }
}

/**
 * The parameters that apply for these values, in space order. A child whose parent is missing
 * or inactive is inactive, so a tree of any depth resolves in one ordered pass.
 */
export function activeParams(space: SearchSpace, params: Readonly<Record<string, unknown>>): ParamSpec[] {
  const active = new Set<string>();
  const out: ParamSpec[] = [];
  for (const p of space.params) {
    if (isActive(p, params, active)) {
      active.add(p.name);
      out.push(p);
    }
  }
  return out;
}

/** Whether `p` is active given values so far and the set of already-active names. */
export function isActive(p: ParamSpec, params: Readonly<Record<string, unknown>>, activeSoFar: ReadonlySet<string>): boolean {
  const c = p.condition;
  if (!c) return true;
  if (!activeSoFar.has(c.parent)) return false;
  const v = params[c.parent];
  return isScalar(v) && c.values.some((x) => scalarKey(x) === scalarKey(v));
}

/**
 * Checks a full assignment (e.g. one read back from the database): every active parameter
 * present and valid, nothing inactive or unknown present.
 */
export function validateParams(space: SearchSpace, params: Readonly<Record<string, unknown>>): Params {
  const active = activeParams(space, params);
  const out: Params = {};
  for (const p of active) {
    const v = params[p.name];
    if (!contains(p.distribution, v)) {
      throw invalid(`Value ${safeJson(v)} is not valid for parameter "${p.name}".`, 'The trial was proposed for a different space.', {
        param: p.name,
      });
    }
    out[p.name] = v as Scalar;
  }
  const activeNames = new Set(active.map((p) => p.name));
  for (const k of Object.keys(params)) {
    if (!activeNames.has(k)) {
      throw invalid(`Parameter "${k}" is unknown or inactive for this assignment.`, 'Drop it.', { param: k });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// genautoml's architecture space

export interface ArchitectureSpec {
  readonly name: string;
  /** The model's SEARCH_SPACE: parameter name → list of scalar choices. Absent or null: none. */
  readonly searchSpace?: Readonly<Record<string, readonly unknown[]>> | null;
}

export interface SharedKnobs {
  /** Learning-rate range, searched log-uniformly. Default 1e-4..1e-2. */
  readonly lr?: { readonly low: number; readonly high: number };
  /** Search RevIN on/off. Default true; false leaves it to the runner's default. */
  readonly revin?: boolean;
  /** Batch sizes to choose from. Default [32, 64, 128]. */
  readonly batchSizes?: readonly number[];
  /** Lookbacks the user allows; absent or empty: lookback is fixed and not searched. */
  readonly lookbacks?: readonly number[];
}

export interface BuildSpaceOptions {
  readonly architectures: readonly ArchitectureSpec[];
  readonly shared?: SharedKnobs;
}

/** Names become parameter prefixes (`dlinear.kernel_size`), so a dot would make them ambiguous. */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function buildSpace(options: BuildSpaceOptions): SearchSpace {
  const archs = options.architectures;
  if (!Array.isArray(archs) || archs.length === 0) {
    throw invalid('No architectures to search.', 'Choose at least one candidate architecture.');
  }
  const names = new Set<string>();
  for (const a of archs) {
    if (typeof a.name !== 'string' || !NAME_RE.test(a.name)) {
      throw invalid(
        `Architecture name ${safeJson(a.name)} is not valid.`,
        'Use letters, digits, "_" or "-", starting with a letter or "_" (no dots).',
        { architecture: a.name },
      );
    }
    if (names.has(a.name)) {
      throw invalid(`Architecture "${a.name}" is listed twice.`, 'List each candidate once.', { architecture: a.name });
    }
    names.add(a.name);
  }

  const params: ParamSpec[] = [{ name: ARCH_PARAM, distribution: categorical(archs.map((a) => a.name)) }];
  for (const a of archs) {
    const ss = a.searchSpace ?? {};
    if (typeof ss !== 'object' || Array.isArray(ss)) {
      throw invalid(`SEARCH_SPACE of "${a.name}" is not a dict.`, 'Make it a dict of name → list of values.', { architecture: a.name });
    }
    for (const [key, values] of Object.entries(ss)) {
      if (!NAME_RE.test(key)) {
        throw invalid(`SEARCH_SPACE of "${a.name}" has invalid key ${safeJson(key)}.`, 'Use identifier-like keys (no dots).', {
          architecture: a.name,
          param: key,
        });
      }
      if (!Array.isArray(values)) {
        throw invalid(`SEARCH_SPACE["${key}"] of "${a.name}" is not a list.`, 'Each entry must be a list of values.', {
          architecture: a.name,
          param: key,
        });
      }
      params.push({
        name: `${a.name}.${key}`,
        distribution: categorical(values as Scalar[]),
        condition: { parent: ARCH_PARAM, values: [a.name] },
      });
    }
  }

  const shared = options.shared ?? {};
  const lr = shared.lr ?? { low: 1e-4, high: 1e-2 };
  params.push({ name: 'lr', distribution: float(lr.low, lr.high, { log: true }) });
  if (shared.revin ?? true) params.push({ name: 'revin', distribution: categorical([true, false]) });
  const batchSizes = shared.batchSizes ?? [32, 64, 128];
  checkPositiveInts('batch_size', batchSizes);
  params.push({ name: 'batch_size', distribution: categorical(batchSizes) });
  if (shared.lookbacks && shared.lookbacks.length > 0) {
    checkPositiveInts('lookback', shared.lookbacks);
    params.push({ name: 'lookback', distribution: categorical(shared.lookbacks) });
  }
  return createSpace(params);
}

function checkPositiveInts(name: string, values: readonly unknown[]): void {
  if (values.length === 0) throw invalid(`No values for "${name}".`, 'Give at least one.', { param: name });
  for (const v of values) {
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) {
      throw invalid(`"${name}" values must be positive integers, got ${safeJson(v)}.`, 'Fix the list.', { param: name });
    }
  }
}

/** What a trial runner needs: the architecture, its own hyperparameters (un-prefixed), the shared knobs. */
export interface DecodedParams {
  readonly arch: string;
  readonly archParams: Record<string, Scalar>;
  readonly shared: Record<string, Scalar>;
}

export function decodeParams(params: Readonly<Params>): DecodedParams {
  const arch = params[ARCH_PARAM];
  if (typeof arch !== 'string') {
    throw invalid('The assignment has no architecture.', 'Sample from a space made by buildSpace().');
  }
  const archParams: Record<string, Scalar> = {};
  const shared: Record<string, Scalar> = {};
  const prefix = `${arch}.`;
  for (const [k, v] of Object.entries(params)) {
    if (k === ARCH_PARAM) continue;
    if (k.startsWith(prefix)) archParams[k.slice(prefix.length)] = v;
    else if (!k.includes('.')) shared[k] = v;
  }
  return { arch, archParams, shared };
}
