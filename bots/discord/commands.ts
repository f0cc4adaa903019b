/**
 * The `/automl` slash command: one subcommand per grammar command, its options typed for Discord,
 * and the translation of an interaction's options back into the grammar's tool call.
 */
import { GenAutoMLError } from '../../engine/errors.js';
import { getTool } from '../../tools/index.js';
import { COMMANDS, coerceOptions, type ParsedCommand, tokenize } from '../chat/grammar.js';

// Discord application command option types.
const SUB = 1;
const STRING = 3;
const INTEGER = 4;
const ATTACHMENT = 11;

interface OptionDef {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; value: string }[];
}

const s = (name: string, description: string, required = false): OptionDef => ({ type: STRING, name, description, ...(required ? { required } : {}) });
const i = (name: string, description: string): OptionDef => ({ type: INTEGER, name, description });
const EXTRA = s('options', 'More options as key=value, e.g. "pruner=asha maxMinutes=30".');

const SUBCOMMANDS: { name: string; description: string; options: OptionDef[] }[] = [
  { name: 'load', description: 'Load a CSV/Parquet file (attach it) or a URL.', options: [{ type: ATTACHMENT, name: 'file', description: 'CSV or Parquet file.' }, s('url', 'http(s) URL of the file.'), s('name', 'Name to store it under.'), EXTRA] },
  { name: 'datasets', description: 'List the loaded datasets.', options: [] },
  { name: 'eda', description: 'Exploratory analysis with plots.', options: [s('dataset', 'Dataset id.', true), s('question', 'A question about the data.')] },
  { name: 'generate', description: 'Ask the neural architect for a model.', options: [s('request', 'What to build.', true), s('dataset', 'Dataset id.'), i('lookback', 'Input window.'), i('horizon', 'Forecast horizon.'), EXTRA] },
  { name: 'validate', description: 'Check a stored model against the contract.', options: [s('model', 'Model id or name.', true), s('dataset', 'Dataset id.'), EXTRA] },
  { name: 'models', description: 'List baselines and generated models.', options: [{ ...s('kind', 'Only this kind.'), choices: ['baseline', 'generated', 'user'].map((k) => ({ name: k, value: k })) }] },
  { name: 'model', description: 'Show one model and its code.', options: [s('model', 'Model id or name.', true)] },
  {
    name: 'search',
    description: 'Start a search; this channel is notified when it ends.',
    options: [
      s('dataset', 'Dataset id.', true),
      i('trials', 'Trials in total.'),
      s('candidates', 'Comma-separated model names.'),
      { ...s('sampler', 'random or tpe.'), choices: [{ name: 'random', value: 'random' }, { name: 'tpe', value: 'tpe' }] },
      i('epochs', 'Maximum epochs per trial.'),
      i('lookback', 'Input window.'),
      i('horizon', 'Forecast horizon.'),
      EXTRA,
    ],
  },
  { name: 'status', description: 'Progress of a study, or the recent studies.', options: [s('study', 'Study id.')] },
  { name: 'add', description: 'Add registered models to a running study; each is trained next.', options: [s('study', 'Study id.', true), s('models', 'Comma-separated model names.', true)] },
  { name: 'evolve', description: 'More architect rounds: new models from the leaderboard join the study.', options: [s('study', 'Study id.', true), i('rounds', 'Architect rounds.'), i('modelsPerRound', 'Models per round.'), s('request', 'What the architect should try.')] },
  { name: 'cancel', description: 'Cancel a running study.', options: [s('study', 'Study id.', true)] },
  // Like the grammar's `benchmark`: a finished study, or chosen models trained side by side on a dataset.
  {
    name: 'benchmark',
    description: 'Benchmark a finished study, or chosen models on a dataset.',
    options: [s('study', 'A finished study id.'), s('dataset', 'Dataset id, to compare chosen models.'), s('models', 'Comma-separated model names to compare.'), i('epochs', 'Epochs per model.'), EXTRA],
  },
  { name: 'export', description: 'Export the winning model.', options: [s('study', 'Study id.', true)] },
  { name: 'subscribe', description: 'Post the results of every study (or one) to this channel.', options: [s('study', 'Study id; omit for every study.')] },
  { name: 'info', description: 'Python, PyTorch, device and sandbox of the server.', options: [] },
  { name: 'ask', description: 'Ask in plain language.', options: [s('text', 'Your question.', true)] },
  { name: 'help', description: 'The commands.', options: [] },
];

/** The JSON body registered with PUT applications/{id}/commands. */
export function commandDefinitions(): Record<string, unknown>[] {
  return [
    {
      name: 'automl',
      description: 'genautoml: time series to validated PyTorch models.',
      type: 1,
      options: SUBCOMMANDS.map((c) => ({ type: SUB, name: c.name, description: c.description, options: c.options })),
    },
  ];
}

export interface InteractionOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: InteractionOption[];
}

export interface ResolvedAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
}

/** The chosen subcommand and options → the grammar's parsed command, plus an attached file. */
export function interactionCommand(data: { options?: InteractionOption[]; resolved?: { attachments?: Record<string, ResolvedAttachment> } }): { command: ParsedCommand; file?: ResolvedAttachment } {
  const sub = data.options?.[0];
  if (!sub || sub.type !== SUB) throw new GenAutoMLError('chat.bad_command', 'Use a subcommand of /automl.', { hint: 'Try /automl help.' });
  const opts = new Map((sub.options ?? []).map((o) => [o.name, o.value]));
  if (sub.name === 'help') return { command: { kind: 'help' } };
  if (sub.name === 'ask') return { command: { kind: 'text', text: String(opts.get('text') ?? '') } };
  const spec = COMMANDS[sub.name];
  if (!spec) throw new GenAutoMLError('chat.bad_command', `Unknown subcommand ${sub.name}.`, { hint: 'Try /automl help.' });
  const tool = getTool(spec.tool);
  const kv: Record<string, string> = {};
  const extra = opts.get('options');
  if (typeof extra === 'string') {
    for (const token of tokenize(extra)) {
      const m = /^([A-Za-z][\w-]*)=(.*)$/s.exec(token);
      if (!m) throw new GenAutoMLError('chat.bad_command', `"${token}" is not key=value.`, { hint: 'Write options as key=value separated by spaces.' });
      kv[m[1] as string] = m[2] as string;
    }
  }
  let file: ResolvedAttachment | undefined;
  const direct: Record<string, unknown> = {};
  for (const [name, value] of opts) {
    if (name === 'options' || value === undefined) continue;
    if (name === 'file') {
      file = data.resolved?.attachments?.[String(value)];
      continue;
    }
    if (name === spec.positional || name === spec.rest) direct[name] = value;
    else kv[name] = String(value);
  }
  return { command: { kind: 'tool', command: sub.name, tool: spec.tool, args: { ...coerceOptions(tool, kv), ...direct } }, ...(file ? { file } : {}) };
}
