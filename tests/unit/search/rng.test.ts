import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/search/index.js';

function draws(r: Rng, n: number): number[] {
  return Array.from({ length: n }, () => r.uniform());
}

describe('Rng', () => {
  it('repeats the same sequence for the same seed and differs across seeds', () => {
    expect(draws(Rng.create(42), 50)).toEqual(draws(Rng.create(42), 50));
    expect(draws(Rng.create(42), 50)).not.toEqual(draws(Rng.create(43), 50));
    // Types are part of the seed: 1 and "1" are different streams.
    expect(draws(Rng.create(1), 5)).not.toEqual(draws(Rng.create('1'), 5));
  });

  it('derives child streams that do not depend on how far the parent has advanced', () => {
    const a = Rng.create(7);
    const b = Rng.create(7);
    draws(b, 1000);
    expect(draws(a.derive('x', 3), 20)).toEqual(draws(b.derive('x', 3), 20));
    expect(draws(a.derive('x', 3), 20)).not.toEqual(draws(a.derive('x', 4), 20));
    // Keys are not concatenated ambiguously.
    expect(draws(a.derive(12, 3), 5)).not.toEqual(draws(a.derive(1, 23), 5));
  });

  it('gives each trial the same stream whatever order trials are asked in', () => {
    const forward = [0, 1, 2, 3, 4].map((n) => draws(Rng.forTrial(99, n), 10));
    const backward = [4, 3, 2, 1, 0].map((n) => draws(Rng.forTrial(99, n), 10)).reverse();
    expect(backward).toEqual(forward);
    const firsts = new Set(forward.map((d) => d[0]));
    expect(firsts.size).toBe(5);
  });

  it('produces uniform, normal, integer and choice values with the right ranges and moments', () => {
    const r = Rng.create('moments');
    const n = 20_000;
    const u = draws(r, n);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((a, b) => a + b, 0) / n).toBeCloseTo(0.5, 1);

    const z = Array.from({ length: n }, () => r.normal(2, 3));
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean - 2)).toBeLessThan(0.1);
    expect(Math.abs(sd - 3)).toBeLessThan(0.1);

    const ints = Array.from({ length: 3000 }, () => r.integer(-2, 2));
    expect(new Set(ints)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(() => r.integer(3, 2)).toThrow(RangeError);

    const picks = Array.from({ length: 300 }, () => r.choice(['a', 'b', 'c']));
    expect(new Set(picks)).toEqual(new Set(['a', 'b', 'c']));
    expect(() => r.choice([])).toThrow(RangeError);

    const w = Array.from({ length: 4000 }, () => r.weightedIndex([0, 3, 1]));
    expect(w.includes(0)).toBe(false);
    expect(w.filter((i) => i === 1).length / w.length).toBeCloseTo(0.75, 1);
  });

  it('rejects non-finite seeds', () => {
    expect(() => Rng.create(Number.NaN)).toThrow(RangeError);
    expect(() => Rng.create(1).derive(Infinity)).toThrow(RangeError);
  });
});
