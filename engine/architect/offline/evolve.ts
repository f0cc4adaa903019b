/**
 * How the offline architect takes part in architect rounds: no LLM reads the leaderboard, so it
 * mutates its own template families from it. The best architecture's family is grown, shrunk or
 * given the periodic/multi-scale path of the EDA periods; the two best are recombined (the second's
 * signature trait grafted onto the first's family); or a family nobody has tried yet is designed
 * fresh. Each proposal of a round takes the next operation, so one round's proposals differ.
 */
import type { EvolutionBrief, EvolutionEntry } from '../types.js';
import { parseRequest, type DesignIntent, type Family } from './parse.js';

export type Operation = 'grow' | 'recombine' | 'periodic' | 'new' | 'shrink';
const OPERATIONS: Operation[] = ['grow', 'recombine', 'periodic', 'new', 'shrink'];

/** Families to try fresh, cheapest first. */
const FRESH: Family[] = ['mixer', 'tcn', 'inception', 'fourier', 'residual', 'convolutional', 'wave', 'mlp', 'recurrent', 'transformer'];

const NAMED: [RegExp, Family][] = [
  [/(^|_)(d|n|r)?linear|sparsetsf/i, 'linear'],
  [/patchtst|transformer|itrans/i, 'transformer'],
  [/inception/i, 'inception'],
  [/tcn/i, 'tcn'],
  [/resnet|residual/i, 'residual'],
  [/wave/i, 'wave'],
  [/fourier|timesnet|spectral/i, 'fourier'],
  [/mixer/i, 'mixer'],
  [/lstm|gru|rnn|recurrent/i, 'recurrent'],
  [/cnn|conv/i, 'convolutional'],
  [/mlp/i, 'mlp'],
];

/** The template family an entry belongs to: the offline architect's own header, else its name, else its layers. */
export function familyOf(entry: Pick<EvolutionEntry, 'arch' | 'code'>): Family {
  const header = /^# Family: (\w+)/m.exec(entry.code ?? '')?.[1] as Family | undefined;
  if (header && (FRESH.includes(header) || header === 'linear')) return header;
  for (const [re, f] of NAMED) if (re.test(entry.arch)) return f;
  const code = entry.code ?? '';
  if (/MultiheadAttention|Transformer/.test(code)) return 'transformer';
  if (/nn\.(LSTM|GRU)/.test(code)) return 'recurrent';
  if (/Conv1d/.test(code)) return 'convolutional';
  return 'linear';
}

/** The trait of a family that a recombination grafts onto another. */
function graft(intent: DesignIntent, donor: Family): string {
  switch (donor) {
    case 'transformer':
      intent.attention = true;
      return 'attention over time';
    case 'tcn':
      intent.dilated = true;
      return 'dilated convolutions';
    case 'inception':
    case 'convolutional':
      intent.multiScale = true;
      return 'multi-scale kernels';
    case 'recurrent':
      intent.bidirectional = true;
      intent.attention = true;
      return 'attention (the recurrent model’s long memory)';
    case 'mlp':
    case 'mixer':
      intent.dropout = 0.2;
      return 'dropout regularisation';
    default:
      intent.periodic = true;
      return 'the periodic (seasonal) path';
  }
}

export interface EvolvedIntent {
  intent: DesignIntent;
  operation: Operation;
  parents: string[];
  /** One sentence on what was done and why, for the explanation. */
  note: string;
}

export function evolvedIntent(evo: EvolutionBrief, facts: { nFeatures: number; periods?: number[] }): EvolvedIntent {
  const steering = evo.steering ?? '';
  const intent = parseRequest(steering, facts);
  const steeredFamily = steering !== '' && intent.familyReason.startsWith('the request names');
  const ranked = evo.leaderboard.filter((e) => e.bestValLoss !== null);
  const [best, second] = ranked;
  let operation = OPERATIONS[((evo.round - 1) * 2 + evo.index) % OPERATIONS.length] as Operation;
  if (!best) operation = 'new';
  if (operation === 'recombine' && !second) operation = 'grow';
  const tried = new Set(evo.leaderboard.map(familyOf));
  if (operation === 'new') {
    const family = steeredFamily ? intent.family : (FRESH.find((f) => !tried.has(f)) ?? FRESH[evo.index % FRESH.length] ?? 'mixer');
    intent.family = family;
    intent.familyReason = `round ${evo.round}: a new design in a family not tried yet (${family})`;
    return { intent, operation, parents: [], note: `new ${family} design; the leaderboard has ${[...tried].join(', ') || 'no family'} so far` };
  }
  const parent = best as EvolutionEntry;
  const family = familyOf(parent);
  intent.family = family;
  const score = parent.bestValLoss === null ? '' : ` (val ${parent.bestValLoss.toFixed(4)}${parent.params === null ? '' : `, ${parent.params.toLocaleString('en-US')} params`})`;
  if (operation === 'grow') {
    intent.size = 'normal';
    intent.depth = 'deep';
    intent.familyReason = `round ${evo.round}: a larger variant of the best model ${parent.arch}${score}`;
    return { intent, operation, parents: [parent.arch], note: `mutation of ${parent.arch}: deeper and at full width` };
  }
  if (operation === 'shrink') {
    intent.size = 'small';
    intent.depth = 'shallow';
    intent.dropout = 0.2;
    intent.familyReason = `round ${evo.round}: a smaller, regularised variant of the best model ${parent.arch}${score}`;
    return { intent, operation, parents: [parent.arch], note: `mutation of ${parent.arch}: shallower, narrower, dropout 0.2` };
  }
  if (operation === 'periodic') {
    intent.periodic = true;
    intent.multiScale = true;
    intent.familyReason = `round ${evo.round}: the best model ${parent.arch}${score} with the EDA's dominant periods built in`;
    return { intent, operation, parents: [parent.arch], note: `mutation of ${parent.arch}: periodic path at the EDA periods${facts.periods?.length ? ` (${facts.periods.slice(0, 3).join(', ')} steps)` : ''}, multi-scale` };
  }
  const donor = second as EvolutionEntry;
  const trait = graft(intent, familyOf(donor));
  intent.familyReason = `round ${evo.round}: recombination of the two best, ${parent.arch}'s ${family} family with ${donor.arch}'s ${trait}`;
  return { intent, operation, parents: [parent.arch, donor.arch], note: `recombination: ${family} (from ${parent.arch}) + ${trait} (from ${donor.arch})` };
}
