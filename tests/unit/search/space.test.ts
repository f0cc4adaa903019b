import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import {
  activeParams,
  buildSpace,
  categorical,
  contains,
  createSpace,
  decodeParams,
  float,
  int,
  validateParams,
} from '../../../engine/search/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GenAutoMLError);
    return (err as GenAutoMLError).code;
  }
  return undefined;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('buildSpace', () => {
  const space = buildSpace({
    architectures: [
      { name: 'dlinear', searchSpace: { kernel_size: [13, 25, 49], individual: [true, false] } },
      { name: 'patchtst', searchSpace: { patch_len: [8, 16], d_model: [64, 128], activation: ['gelu', null] } },
      { name: 'naive', searchSpace: null },
    ],
    shared: { lookbacks: [96, 336] },
  });

  it('has arch first, namespaced architecture params, then the shared knobs', () => {
    expect(space.params.map((p) => p.name)).toEqual([
      'arch',
      'dlinear.kernel_size',
      'dlinear.individual',
      'patchtst.patch_len',
      'patchtst.d_model',
      'patchtst.activation',
      'lr',
      'revin',
      'batch_size',
      'lookback',
    ]);
    const lr = space.params.find((p) => p.name === 'lr')?.distribution;
    expect(lr).toEqual({ kind: 'float', low: 1e-4, high: 1e-2, log: true });
    expect(space.params.find((p) => p.name === 'batch_size')?.distribution).toEqual(categorical([32, 64, 128]));
    expect(space.params.find((p) => p.name === 'revin')?.distribution).toEqual(categorical([true, false]));
  });

  it('activates only the chosen architecture’s params', () => {
    const names = (arch: string) => activeParams(space, { arch }).map((p) => p.name);
    expect(names('dlinear')).toEqual(['arch', 'dlinear.kernel_size', 'dlinear.individual', 'lr', 'revin', 'batch_size', 'lookback']);
    expect(names('naive')).toEqual(['arch', 'lr', 'revin', 'batch_size', 'lookback']);
  });

  it('omits lookback unless allowed and revin when asked', () => {
    const s = buildSpace({ architectures: [{ name: 'a' }], shared: { revin: false, batchSizes: [16], lr: { low: 1e-3, high: 1e-1 } } });
    expect(s.params.map((p) => p.name)).toEqual(['arch', 'lr', 'batch_size']);
  });

  it('validates and decodes assignments', () => {
    const p = { arch: 'patchtst', 'patchtst.patch_len': 16, 'patchtst.d_model': 64, 'patchtst.activation': null, lr: 0.001, revin: true, batch_size: 32, lookback: 336 };
    expect(validateParams(space, p)).toEqual(p);
    expect(decodeParams(p)).toEqual({
      arch: 'patchtst',
      archParams: { patch_len: 16, d_model: 64, activation: null },
      shared: { lr: 0.001, revin: true, batch_size: 32, lookback: 336 },
    });
    expect(codeOf(() => validateParams(space, { ...p, 'dlinear.kernel_size': 25 }))).toBe('search.invalid_space');
    expect(codeOf(() => validateParams(space, { ...p, lr: 0.5 }))).toBe('search.invalid_space');
    expect(codeOf(() => validateParams(space, { ...p, 'patchtst.patch_len': '16' }))).toBe('search.invalid_space');
    const { lookback: _drop, ...missing } = p;
    expect(codeOf(() => validateParams(space, missing))).toBe('search.invalid_space');
  });

  it('refuses bad input with clear errors', () => {
    const bad = (o: Parameters<typeof buildSpace>[0]) => () => buildSpace(o);
    expect(codeOf(bad({ architectures: [] }))).toBe('search.invalid_space');
    expect(messageOf(bad({ architectures: [{ name: 'a' }, { name: 'a' }] }))).toMatch(/"a" is listed twice/);
    expect(messageOf(bad({ architectures: [{ name: 'a.b' }] }))).toMatch(/not valid/);
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { k: [] } }] }))).toMatch(/"a\.k" has no choices/);
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { k: [[1, 2]] } }] }))).toMatch(/non-scalar choice \[1,2\]/);
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { k: [{ x: 1 }] } }] }))).toMatch(/non-scalar/);
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { k: [1, Number.NaN] } }] }))).toMatch(/non-scalar/);
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { k: [1, 2, 1] } }] }))).toMatch(/lists 1 twice/);
    // 1 and "1" are different choices, not duplicates.
    expect(() => buildSpace({ architectures: [{ name: 'a', searchSpace: { k: [1, '1'] } }] })).not.toThrow();
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { k: 3 as unknown as number[] } }] }))).toMatch(/not a list/);
    expect(messageOf(bad({ architectures: [{ name: 'a', searchSpace: { 'x.y': [1] } }] }))).toMatch(/invalid key/);
    expect(messageOf(bad({ architectures: [{ name: 'a' }], shared: { lookbacks: [96, -1] } }))).toMatch(/positive integers/);
    expect(messageOf(bad({ architectures: [{ name: 'a' }], shared: { batchSizes: [] } }))).toMatch(/No values/);
    expect(messageOf(bad({ architectures: [{ name: 'a' }], shared: { lr: { low: 0, high: 1 } } }))).toMatch(/low > 0/);
    expect(messageOf(bad({ architectures: [{ name: 'a' }], shared: { lr: { low: 1e-2, high: 1e-3 } } }))).toMatch(/low < high/);
  });
});

describe('createSpace', () => {
  it('checks names, parents and distributions', () => {
    expect(messageOf(() => createSpace([]))).toMatch(/no parameters/);
    expect(messageOf(() => createSpace([{ name: 'x', distribution: float(0, 1) }, { name: 'x', distribution: float(0, 1) }]))).toMatch(/defined twice/);
    expect(messageOf(() => createSpace([{ name: 'c', distribution: float(0, 1), condition: { parent: 'p', values: ['a'] } }]))).toMatch(/not defined before/);
    expect(
      messageOf(() =>
        createSpace([
          { name: 'p', distribution: categorical(['a']) },
          { name: 'c', distribution: float(0, 1), condition: { parent: 'p', values: ['b'] } },
        ]),
      ),
    ).toMatch(/not a choice/);
    expect(messageOf(() => createSpace([{ name: 'i', distribution: int(0, 10, { step: 3 }) }]))).toMatch(/multiple of step/);
    expect(messageOf(() => createSpace([{ name: 'i', distribution: int(0, 10, { log: true }) }]))).toMatch(/low >= 1/);
    expect(messageOf(() => createSpace([{ name: 'f', distribution: float(1, 1) }]))).toMatch(/low < high/);
  });

  it('resolves nested conditions', () => {
    const s = createSpace([
      { name: 'a', distribution: categorical(['x', 'y']) },
      { name: 'b', distribution: categorical([1, 2]), condition: { parent: 'a', values: ['x'] } },
      { name: 'c', distribution: float(0, 1), condition: { parent: 'b', values: [2] } },
    ]);
    expect(activeParams(s, { a: 'x', b: 2 }).map((p) => p.name)).toEqual(['a', 'b', 'c']);
    expect(activeParams(s, { a: 'x', b: 1 }).map((p) => p.name)).toEqual(['a', 'b']);
    // b is inactive under y, so its stale value must not activate c.
    expect(activeParams(s, { a: 'y', b: 2 }).map((p) => p.name)).toEqual(['a']);
  });

  it('knows what a distribution contains', () => {
    expect(contains(int(2, 10, { step: 2 }), 6)).toBe(true);
    expect(contains(int(2, 10, { step: 2 }), 5)).toBe(false);
    expect(contains(float(0, 1), 1)).toBe(true);
    expect(contains(float(0, 1), Number.NaN)).toBe(false);
    expect(contains(categorical([1, 'a']), '1')).toBe(false);
  });
});
