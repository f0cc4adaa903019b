/**
 * The offline architect: designs a model with no network from the request's words and the EDA
 * facts, by choosing a template family, applying the modifiers and sizing it to the budget.
 *
 * It is presented through the same ChatProvider interface as the LLMs, on purpose: the reflection
 * loop, the validator, the iteration log and the result are then one code path whatever designs
 * the model, and the offline designs are validated exactly like LLM ones. It reads the structured
 * DesignBrief the loop passes alongside the messages instead of parsing the prompt text back, and
 * on a repair (a budget overrun, say) it shrinks or falls back to the simplest template.
 */
import { GenAutoMLError } from '../../errors.js';
import type { ChatMessage, ChatOptions, ChatProvider, ChatReply, DesignBrief } from '../types.js';
import { evolvedIntent } from './evolve.js';
import { parseRequest, type DesignIntent, type Family } from './parse.js';
import { LOW_RANK_LINEAR, TEMPLATES, moduleSource, type RenderContext, type Sizing, type Template } from './templates.js';

export const OFFLINE_MODEL = 'offline-templates';

export interface OfflineDesign {
  code: string;
  name: string;
  family: Family;
  estimatedParams: number;
  explanation: string;
}

/** Words in `forbidden` that rule a family out. */
const FAMILY_WORDS: Record<Family, RegExp> = {
  linear: /linear/i,
  mlp: /mlp|dense|linear/i,
  mixer: /mixer|mlp/i,
  recurrent: /lstm|gru|rnn|recurren/i,
  convolutional: /conv|cnn/i,
  tcn: /conv|cnn|tcn/i,
  inception: /conv|cnn|inception/i,
  residual: /conv|cnn|resid/i,
  wave: /wave|sin/i,
  fourier: /fft|fourier/i,
  transformer: /transformer|attention/i,
};

/** Which modifiers each family really applies; the rest are reported as not applicable. */
const HONOURS: Record<Family, (keyof DesignIntent)[]> = {
  linear: ['multiScale', 'periodic'],
  mlp: ['periodic', 'dropout'],
  mixer: ['periodic', 'dropout'],
  recurrent: ['bidirectional', 'attention', 'dropout'],
  convolutional: ['multiScale', 'dilated', 'attention', 'dropout'],
  tcn: ['multiScale', 'dilated', 'attention', 'dropout'],
  inception: ['multiScale', 'periodic', 'attention', 'dropout'],
  residual: ['multiScale', 'dilated', 'attention', 'dropout'],
  wave: ['multiScale', 'periodic', 'dropout'],
  fourier: ['periodic', 'multiScale', 'dropout'],
  transformer: ['periodic', 'attention', 'dropout'],
};

const MODIFIER_WORDS: Partial<Record<keyof DesignIntent, string>> = {
  multiScale: 'multi-scale',
  periodic: 'periodic',
  bidirectional: 'bidirectional',
  dilated: 'dilated',
  attention: 'attention',
};

/**
 * Share of the budget the estimate may use. The template estimates are exact (164 cases checked
 * against the runner, tests/integration/architect/offline-sizes.test.ts); the margin predates that
 * measurement and still leaves room for parameters the template does not write (a RevIN wrapper).
 */
const BUDGET_SAFETY = 0.85;

function usablePeriods(periods: number[] | undefined, L: number): number[] {
  const out: number[] = [];
  for (const p of periods ?? []) {
    const v = Math.round(p);
    if (Number.isFinite(v) && v >= 2 && v <= L && !out.includes(v)) out.push(v);
  }
  return out.slice(0, 4);
}

function preferredIndex(n: number, size: DesignIntent['size'], kind: 'width' | 'depth', depth: DesignIntent['depth']): number {
  if (kind === 'depth') {
    if (depth === 'deep') return n - 1;
    if (depth === 'shallow' || size !== 'normal') return 0;
    return Math.min(n - 1, 1);
  }
  if (size === 'tiny') return 0;
  if (size === 'small') return Math.min(n - 1, 1);
  return Math.max(0, n - 2);
}

interface Sized {
  sizing: Sizing;
  widthChoices: number[];
  depthChoices: number[];
  estimate: number;
}

function size(template: Template, intent: DesignIntent, base: Omit<RenderContext, 'widthChoices' | 'depthChoices'>, limit: number | null): Sized | null {
  const widths = [...template.widths].sort((a, b) => a - b);
  const depths = [...new Set(template.depths(intent))].sort((a, b) => a - b);
  const pw = preferredIndex(widths.length, intent.size, 'width', intent.depth);
  const pd = preferredIndex(depths.length, intent.size, 'depth', intent.depth);
  const ctx = (w: number[], d: number[]): RenderContext => ({ ...base, widthChoices: w, depthChoices: d });
  const est = (s: Sizing): number => template.estimate(s, ctx([s.width], [s.depth]));
  let best: { wi: number; di: number; n: number } | null = null;
  for (let wi = 0; wi <= pw; wi++) {
    for (let di = 0; di <= pd; di++) {
      const n = est({ width: widths[wi] ?? 1, depth: depths[di] ?? 1 });
      const fits = limit === null || n <= limit * BUDGET_SAFETY;
      // Without a limit the preferred size is taken; with one, the largest that fits.
      if (fits && (best === null || (limit === null ? wi + di > best.wi + best.di : n > best.n))) best = { wi, di, n };
    }
  }
  if (best === null) return null;
  const w = widths[best.wi] ?? 1;
  const d = depths[best.di] ?? 1;
  // Search choices never exceed the chosen size when a budget applies, so every choice fits it.
  const pick = (ladder: number[], i: number): number[] =>
    limit === null ? ladder.slice(Math.max(0, i - 1), i + 2) : ladder.slice(Math.max(0, i - 2), i + 1);
  const widthChoices = pick(widths, best.wi);
  const depthChoices = pick(depths, best.di);
  return { sizing: { width: w, depth: d }, widthChoices, depthChoices, estimate: best.n };
}

export interface OfflineArchitectOptions {
  /** Why the offline architect is in use, for the result ("no LLM configured", …). */
  reason?: string;
}

export class OfflineArchitect implements ChatProvider {
  readonly kind = 'offline' as const;
  readonly model = OFFLINE_MODEL;
  readonly reason: string;

  constructor(options: OfflineArchitectOptions = {}) {
    this.reason = options.reason ?? 'no LLM configured';
  }

  async chat(_messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatReply> {
    if (!options.brief) {
      throw new GenAutoMLError('architect.failed', 'The offline architect needs the design brief, which only generateModel passes', {
        hint: 'Call it through generateModel, not directly.',
      });
    }
    const design = this.design(options.brief);
    const text = `${design.explanation}\n\n\`\`\`python\n${design.code}\`\`\`\n`;
    return { text, model: OFFLINE_MODEL, usage: { promptTokens: 0, completionTokens: 0 }, explanation: design.explanation };
  }

  /** Designs one model from the brief; exposed for tests and for callers that want no loop. */
  design(brief: DesignBrief): OfflineDesign {
    const { lookback: L, horizon: H, nFeatures: C } = brief.dims;
    const facts = { nFeatures: C, ...(brief.edaFacts?.periods ? { periods: brief.edaFacts.periods } : {}) };
    // In an architect round the request is the whole leaderboard brief (for LLMs); the offline
    // architect reads the same facts in structured form and mutates from them instead.
    const evolved = brief.evolution ? evolvedIntent(brief.evolution, facts) : null;
    const intent = evolved ? evolved.intent : parseRequest(brief.request, facts);
    const notes: string[] = evolved ? [evolved.note] : [];
    const forbidden = brief.constraints.forbidden ?? [];
    if (forbidden.length > 0) {
      if (forbidden.some((f) => FAMILY_WORDS[intent.family].test(f))) {
        const alternative: Family = forbidden.some((f) => FAMILY_WORDS.mixer.test(f)) ? 'linear' : 'mixer';
        notes.push(`${intent.family} is forbidden by the constraints, so ${alternative} instead`);
        intent.family = alternative;
        intent.familyReason = `the requested family is forbidden (${forbidden.join(', ')})`;
      }
      if (intent.attention && forbidden.some((f) => /attention/i.test(f))) {
        intent.attention = false;
        notes.push('attention is forbidden, left out');
      }
    }
    const periods = usablePeriods(brief.edaFacts?.periods, L);
    const tooLong = (brief.edaFacts?.periods ?? []).map(Math.round).filter((p) => p > L);
    const dropout = typeof intent.dropout === 'number' ? intent.dropout : intent.dropout === false ? 0 : intent.dropout === true ? 0.2 : 0.1;
    let limit = intent.paramLimit;
    if (brief.constraints.paramBudget !== undefined) limit = limit === null ? brief.constraints.paramBudget : Math.min(limit, brief.constraints.paramBudget);

    // A repair: shrink on a budget or latency overrun; on anything else take the simplest template.
    const prev = brief.previousReport;
    let fallback = false;
    if (prev) {
      if (prev.stage === 'budget' || (prev.ok && prev.params !== null && limit !== null && prev.params > limit)) {
        // Re-derive the previous design (it is deterministic) to learn how far its estimate was
        // off, correct the limit by that factor, and in any case go clearly smaller.
        const before = this.design({ ...brief, previousReport: undefined, previousCode: undefined });
        const actual = prev.params ?? before.estimatedParams * 2;
        const ratio = Math.max(1, actual / Math.max(1, before.estimatedParams));
        limit = Math.floor(Math.min((limit ?? actual) / ratio, (before.estimatedParams * 0.7) / BUDGET_SAFETY));
        notes.push(`the previous design had ${actual.toLocaleString('en-US')} parameters, over the budget: sized down`);
      } else if (prev.ok) {
        intent.size = 'tiny';
        intent.depth = 'shallow';
        notes.push('the previous design was too slow: the tiny variant instead');
      } else {
        fallback = true;
        notes.push(`the previous design failed at ${prev.stage}; falling back to the decomposition-linear template, which always fits the contract`);
      }
    }

    const base = { L, H, C, intent, periods, dropout };
    let family: Family = fallback ? 'linear' : intent.family;
    let template: Template = TEMPLATES[family];
    let sized = size(template, intent, base, limit);
    if (sized === null) {
      family = 'linear';
      template = TEMPLATES.linear;
      sized = size(template, { ...intent, size: 'tiny' }, base, limit);
      if (sized === null) {
        // Even one L x H map is too big: factorise it. If nothing fits at all, the smallest
        // model goes out and the validator's budget check says by how much it is over.
        template = LOW_RANK_LINEAR;
        sized = size(template, { ...intent, size: 'normal', depth: 'normal' }, base, limit) ?? size(template, { ...intent, size: 'tiny' }, base, null);
      }
      notes.push(`no ${intent.family} variant fits ${limit?.toLocaleString('en-US')} parameters for this window and horizon, so the ${template === LOW_RANK_LINEAR ? 'low-rank ' : ''}decomposition-linear template`);
    }
    const s = sized as Sized;
    const ctx: RenderContext = { ...base, widthChoices: s.widthChoices, depthChoices: s.depthChoices };
    const rendered = template.render(s.sizing, ctx);
    const estimatedParams = template.estimate(s.sizing, ctx);

    const honoured = HONOURS[family];
    const ignored = (Object.keys(MODIFIER_WORDS) as (keyof DesignIntent)[]).filter(
      (k) => intent[k] === true && !honoured.includes(k) && !(k === 'periodic' && (family === 'wave' || family === 'fourier')) && !(k === 'dilated' && family === 'tcn') && !(k === 'attention' && family === 'transformer'),
    );
    const explanation = [
      `Offline architect (${this.reason}): the model is composed from parametric templates, not written by an LLM.`,
      `Family: ${family}${family === intent.family ? ` — ${intent.familyReason}` : ''}.`,
      `Design: ${rendered.notes.join('; ')}.`,
      `Size: ≈${estimatedParams.toLocaleString('en-US')} parameters${limit !== null ? ` (limit ${limit.toLocaleString('en-US')})` : ''}${intent.size !== 'normal' ? `, ${intent.size} as asked` : ''}.`,
      periods.length > 0 ? `EDA: dominant periods ${periods.join(', ')} steps${tooLong.length > 0 ? ` (${tooLong.join(', ')} longer than the ${L}-step window, not used)` : ''}${brief.edaFacts?.stationary === false ? '; non-stationary, so the linear skip/trend path carries the level' : ''}.` : 'EDA: no dominant period given.',
      ...(ignored.length > 0 ? [`Not applicable to this family, ignored: ${ignored.map((k) => MODIFIER_WORDS[k]).join(', ')}.`] : []),
      ...notes.map((n) => `Note: ${n}.`),
    ].join('\n');
    const header = [
      `# Name: ${rendered.name}`,
      `# Family: ${family}`,
      ...(evolved
        ? [`# Designed by the genautoml offline architect (${this.reason}) in architect round ${brief.evolution?.round}: ${evolved.note}`]
        : [`# Designed by the genautoml offline architect (${this.reason}) from the request:`, `#   ${brief.request.replace(/\s+/g, ' ').trim().slice(0, 200)}`]),
    ].join('\n');
    const code = `${header}\n${moduleSource(rendered)}`;
    return { code, name: rendered.name, family, estimatedParams, explanation };
  }
}
