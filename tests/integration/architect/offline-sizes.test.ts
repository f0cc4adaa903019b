/**
 * The offline architect fits parameter budgets with each template's hand-written `estimate`, without
 * running Python. This file is the evidence that those estimates are right: every template family,
 * rendered at its smallest, middle and largest sizings, for several window/horizon/feature shapes
 * (with and without EDA periods) and for the intent modifiers that change the rendered code, is
 * built by the real sandboxed runner, and the runner's trainable-parameter count must equal the
 * estimate exactly. No template documents a tolerance, so none is allowed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DesignIntent } from '../../../engine/architect/offline/parse.js';
import { LOW_RANK_LINEAR, TEMPLATES, moduleSource, type RenderContext, type Sizing, type Template } from '../../../engine/architect/offline/templates.js';
import type { ModelDims } from '../../../engine/runner/types.js';
import { makeClient, removeTmp } from '../runner/helpers.js';

/** Pool of two warm validators, used two at a time: the machine has two cores. */
const client = makeClient({ validatePoolSize: 2 });
afterAll(async () => {
  await client.close();
  removeTmp();
});

/**
 * Between them these modifiers switch on each optional path some template has (seasonal gate,
 * attention, several kernels, per-channel linear heads, GRU vs LSTM, both directions, light
 * inception, tiny transformer) and each rung of the depth ladders.
 */
const PLAIN: DesignIntent = {
  family: 'mlp',
  familyReason: 'size test',
  rnnCell: 'lstm',
  size: 'normal',
  paramLimit: null,
  multiScale: false,
  periodic: false,
  depth: 'normal',
  bidirectional: false,
  dilated: false,
  attention: false,
  dropout: null,
  interference: false,
};
const EVERYTHING: DesignIntent = { ...PLAIN, depth: 'deep', multiScale: true, periodic: true, dilated: true, attention: true, bidirectional: true, interference: true, rnnCell: 'gru' };
const TINY: DesignIntent = { ...PLAIN, size: 'tiny', depth: 'shallow', periodic: true };
const SMALL_DEEP: DesignIntent = { ...PLAIN, size: 'small', depth: 'deep', periodic: true, bidirectional: true, dilated: true };

/**
 * Window shapes: a typical hourly one with periods inside the window; a short one with no period
 * and no dropout; and a tiny odd window with a single feature, where kernels, patches and Fourier
 * modes hit their clamps (the estimates must clamp exactly as the Python does).
 */
const HOURLY = { L: 96, H: 24, C: 7, periods: [24, 12, 48], dropout: 0.1 };
const SHORT = { L: 24, H: 6, C: 3, periods: [], dropout: 0 };
const TINY_WINDOW = { L: 9, H: 5, C: 1, periods: [4, 3], dropout: 0.2 };

/**
 * Five (shape, intent) pairs rather than all twelve: every validation starts a fresh sandboxed
 * process (torch import), and the full cross product with five sizings each (414 cases, measured
 * once, all exact) took over five minutes. This selection still has every shape, every intent and
 * every rung of every ladder.
 */
const CONTEXTS: { label: string; shape: typeof HOURLY; intent: DesignIntent }[] = [
  { label: 'plain', shape: HOURLY, intent: PLAIN },
  { label: 'deep, every modifier, GRU', shape: HOURLY, intent: EVERYTHING },
  { label: 'small, deep, periodic, bidirectional LSTM, dilated', shape: SHORT, intent: SMALL_DEEP },
  { label: 'tiny, shallow, periodic', shape: TINY_WINDOW, intent: TINY },
  { label: 'deep, every modifier, GRU', shape: TINY_WINDOW, intent: EVERYTHING },
];

/** Smallest, middle and largest of a ladder. */
function rungs(values: number[]): number[] {
  const v = [...new Set(values)].sort((a, b) => a - b);
  return [...new Set([v[0]!, v[Math.floor((v.length - 1) / 2)]!, v[v.length - 1]!])];
}

/** Smallest, middle and largest width, each with the depth of the same rank (the ladders have 1 to 3 rungs). */
function sizings(t: Template, intent: DesignIntent): Sizing[] {
  const w = rungs(t.widths);
  const d = rungs(t.depths(intent));
  const at = (v: number[], i: number): number => v[Math.min(i, v.length - 1)]!;
  const all = [0, 1, 2].map((i) => ({ width: at(w, i), depth: at(d, i) }));
  return all.filter((s, i) => all.findIndex((o) => o.width === s.width && o.depth === s.depth) === i);
}

interface Case {
  label: string;
  code: string;
  dims: ModelDims;
  estimate: number;
}

/** One case per distinct (source, dims): modifiers a family ignores give the same source, checked once. */
function cases(t: Template): Case[] {
  const out = new Map<string, Case>();
  for (const { label, shape, intent } of CONTEXTS) {
    for (const s of sizings(t, intent)) {
      const ctx: RenderContext = { ...shape, intent, widthChoices: [s.width], depthChoices: [s.depth] };
      const code = moduleSource(t.render(s, ctx));
      const key = `${shape.L}/${shape.H}/${shape.C}\n${code}`;
      if (out.has(key)) continue;
      out.set(key, {
        label: `L=${shape.L} H=${shape.H} C=${shape.C} periods=[${shape.periods.join(',')}] ${label} width=${s.width} depth=${s.depth}`,
        code,
        dims: { task: 'forecasting', lookback: shape.L, horizon: shape.H, nFeatures: shape.C },
        estimate: t.estimate(s, ctx),
      });
    }
  }
  return [...out.values()];
}

const FAMILIES: { name: string; template: Template }[] = [
  ...Object.entries(TEMPLATES).map(([name, template]) => ({ name, template })),
  { name: 'low-rank linear', template: LOW_RANK_LINEAR },
];

/** Validations of one family take tens of seconds on two loaded cores; the first also starts the pool. */
const FAMILY_TIMEOUT_MS = 240_000;

describe('offline template estimates equal the runner parameter counts', () => {
  for (const { name, template } of FAMILIES) {
    // Rendered at collection time so the reporter shows each family's case count (their sum is
    // the count recorded in templates.ts's header).
    const all = cases(template);
    it(`${name}: estimate is exact in all ${all.length} cases`, { timeout: FAMILY_TIMEOUT_MS }, async () => {
      // Several sizings and contexts per family, or the comparison below proves little.
      expect(all.length).toBeGreaterThanOrEqual(template.widths.length > 1 ? 9 : 3);
      const wrong: string[] = [];
      for (let i = 0; i < all.length; i += 2) {
        const batch = all.slice(i, i + 2);
        const reports = await Promise.all(batch.map((c) => client.validate(c.code, c.dims)));
        batch.forEach((c, j) => {
          const r = reports[j]!;
          if (!r.ok) wrong.push(`${c.label}: does not validate (${r.stage}: ${r.message})`);
          // A projection head would add parameters the template did not write: none may be attached.
          else if (r.projection !== null) wrong.push(`${c.label}: runner attached a ${r.projection.kind} projection`);
          else if (r.params !== c.estimate) wrong.push(`${c.label}: estimate ${c.estimate}, runner ${r.params} (off by ${c.estimate - (r.params ?? 0)})`);
        });
      }
      expect(wrong).toEqual([]);
    });
  }
});
