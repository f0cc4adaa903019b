/**
 * Seeded, splittable pseudo-random numbers for the search.
 *
 * Why not Math.random: a study must be reproducible from its seed, and trials finish in any
 * order across workers. So every trial draws from its own stream, derived by hashing
 * (seed, keys…) — never from a shared generator whose position depends on who asked first.
 * `Rng.forTrial(seed, 7)` gives the same numbers whether trial 7 is asked first or last.
 *
 * Generator: xoshiro128** (32-bit state words, fits JavaScript's 32-bit integer ops exactly);
 * state words come from a keyed string hash of the stream path, so derivation is stateless.
 */

export type Seed = number | string;
export type StreamKey = number | string;

/** Murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes the stream path into one 32-bit word per lane. JSON keeps types apart (seed 1 and
 * seed "1" are different streams) and separates keys unambiguously ([12, 3] vs [1, 23]).
 */
function hashPath(path: readonly StreamKey[], lane: number): number {
  const text = JSON.stringify(path);
  let h = mix32(Math.imul(lane + 1, 0x9e3779b9) ^ 0x5bd1e995);
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h = (h << 13) | (h >>> 19);
  }
  return mix32(h ^ text.length);
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function checkKey(key: StreamKey, what: string): void {
  if (typeof key === 'number' && !Number.isFinite(key)) {
    throw new RangeError(`${what} must be a finite number or a string, got ${String(key)}`);
  }
}

export class Rng {
  /** The (seed, keys…) path this stream was derived from; identifies it completely. */
  readonly path: readonly StreamKey[];
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(path: readonly StreamKey[]) {
    this.path = path;
    this.s0 = hashPath(path, 0);
    this.s1 = hashPath(path, 1);
    this.s2 = hashPath(path, 2);
    this.s3 = hashPath(path, 3);
    // xoshiro's one forbidden state; astronomically unlikely, but cheap to rule out.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  static create(seed: Seed): Rng {
    checkKey(seed, 'seed');
    return new Rng([seed]);
  }

  /** The stream trial `trialNumber` of a study seeded with `seed` samples from. */
  static forTrial(seed: Seed, trialNumber: number): Rng {
    return Rng.create(seed).derive('trial', trialNumber);
  }

  /**
   * An independent child stream. Depends only on this stream's path and the keys, never on
   * how many numbers this stream has already produced.
   */
  derive(...keys: StreamKey[]): Rng {
    for (const k of keys) checkKey(k, 'stream key');
    return new Rng([...this.path, ...keys]);
  }

  /** Next raw 32-bit output (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [low, high), with 53 random bits (two outputs) so doubles are not coarse. */
  uniform(low = 0, high = 1): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    const u = (a * 67108864 + b) / 9007199254740992;
    return low + (high - low) * u;
  }

  /** Gaussian by Box–Muller; one value per call so a stream's position is easy to reason about. */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log never sees 0
    const u2 = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [low, high], both inclusive. */
  integer(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high < low) {
      throw new RangeError(`integer(low, high) needs safe integers with low <= high, got ${low}, ${high}`);
    }
    return low + Math.floor(this.uniform() * (high - low + 1));
  }

  /** One element, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice() needs a non-empty list');
    return items[this.integer(0, items.length - 1)] as T;
  }

  /** Index drawn with probability proportional to non-negative `weights`. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    if (!(total > 0) || !Number.isFinite(total)) throw new RangeError('weightedIndex() needs positive finite total weight');
    let r = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    // Rounding can leave r a hair above zero: fall to the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
    return weights.length - 1;
  }
}
