/**
 * The compact, factual brief an architect round starts from: per architecture of the study so
 * far, its best validation loss, size, latency, epochs and failures with their errors, plus the
 * code of the best few. The same facts go to an LLM as text and to the offline architect as data.
 */
import type { EvolutionEntry } from '../architect/types.js';
import type { TrialRecord as StoredTrial } from '../../storage/studies.js';
import { ARCH_PARAM } from './space.js';
import type { StudySpec } from './spec.js';

/** Models whose code goes into the brief. */
const CODE_OF_BEST = 3;
/** Characters of each model's code in the brief; longer sources are cut with a marker. */
const CODE_CHARS = 6000;

function firstLine(s: string, max = 200): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function leaderboardBrief(spec: StudySpec, trials: readonly StoredTrial[], latencyOf: (arch: string) => number | null = () => null): EvolutionEntry[] {
  const entries: EvolutionEntry[] = spec.candidates.map((c) => {
    const mine = trials.filter((t) => t.params[ARCH_PARAM] === c.name);
    const complete = mine.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
    const best = complete.reduce<StoredTrial | undefined>((b, t) => (b === undefined || (t.value as number) < (b.value as number) ? t : b), undefined);
    const metrics = (best?.metrics ?? null) as { params?: unknown; epochs?: unknown } | null;
    const errors = [...new Set(mine.filter((t) => t.state === 'failed').map((t) => firstLine(String((t.error as { message?: unknown } | null)?.message ?? 'unknown error'))))].slice(0, 3);
    return {
      arch: c.name,
      kind: c.kind,
      bestValLoss: best?.value ?? null,
      params: typeof metrics?.params === 'number' ? metrics.params : null,
      epochs: typeof metrics?.epochs === 'number' ? metrics.epochs : null,
      latencyMs: latencyOf(c.name),
      complete: complete.length,
      pruned: mine.filter((t) => t.state === 'pruned').length,
      failed: mine.filter((t) => t.state === 'failed').length,
      errors,
    };
  });
  entries.sort((a, b) => (a.bestValLoss ?? Infinity) - (b.bestValLoss ?? Infinity));
  for (const e of entries.slice(0, CODE_OF_BEST)) {
    if (e.bestValLoss === null) continue;
    const code = spec.candidates.find((c) => c.name === e.arch)?.code ?? '';
    e.code = code.length > CODE_CHARS ? `${code.slice(0, CODE_CHARS)}\n# … (cut)` : code;
  }
  return entries;
}

const num = (v: number | null, d = 4): string => (v === null ? '—' : v.toFixed(d));

/** The request an LLM gets for one proposal of a round: the brief and what kind of proposal to make. */
export function roundRequest(input: {
  round: number;
  rounds: number;
  index: number;
  dataset: string;
  task: string;
  lookback: number;
  horizon: number;
  leaderboard: readonly EvolutionEntry[];
  steering: string | null;
  alreadyProposed: readonly string[];
}): string {
  const kinds = ['a mutation of the best model (change widths, depths, kernels, periods, normalisation or dropout)', 'a recombination of ideas from the two best models', 'a new design unlike any model on the leaderboard'];
  const kind = kinds[input.index % kinds.length] as string;
  const rows = input.leaderboard.map(
    (e, i) =>
      `${i + 1}. ${e.arch} [${e.kind}] val ${num(e.bestValLoss)} · params ${e.params ?? '—'} · latency ${e.latencyMs === null ? '—' : `${e.latencyMs.toFixed(2)} ms`} · epochs ${e.epochs ?? '—'} · trials ${e.complete} complete, ${e.pruned} pruned, ${e.failed} failed${e.errors.length ? ` · errors: ${e.errors.join(' | ')}` : ''}`,
  );
  const code = input.leaderboard.filter((e) => e.code).map((e) => `### ${e.arch} (val ${num(e.bestValLoss)})\n\`\`\`python\n${e.code}\n\`\`\``);
  return [
    `Architect round ${input.round} of ${input.rounds} in a running architecture search on ${input.dataset} (${input.task}, lookback ${input.lookback}, horizon ${input.horizon}).`,
    'Validation loss is lower-is-better (selection uses the validation split only).',
    '',
    'Leaderboard so far (best trial per architecture):',
    ...rows,
    '',
    ...(code.length ? ['Code of the best models:', ...code, ''] : []),
    ...(input.alreadyProposed.length ? [`Already proposed this round (do not repeat): ${input.alreadyProposed.join(', ')}.`, ''] : []),
    ...(input.steering ? [`The user asks: ${input.steering}`, ''] : []),
    `Propose ONE model: ${kind}. It must be new (not a copy of a model above), fit the model contract, and have a good chance of beating the best validation loss. Say in one line which models it derives from.`,
  ].join('\n');
}
