/**
 * The chat command grammar shared by Slack and Discord: `<command> [positional] [key=value…]`
 * parsed into a tool name and arguments. Option types come from the tool's own JSON Schema, so
 * the grammar never re-declares what a tool accepts; the tool validates the result.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../../engine/errors.js';
import { getTool } from '../../tools/index.js';
import type { AnyTool } from '../../tools/define.js';

export interface CommandSpec {
  tool: string;
  /** Field taken by the first bare word. */
  positional?: string;
  /** Field taking every remaining bare word, joined by spaces. */
  rest?: string;
  usage: string;
  help: string;
}

/** The commands, in the order `help` lists them. */
export const COMMANDS: Record<string, CommandSpec> = {
  load: { tool: 'load_dataset', positional: 'source', usage: 'load <url | path> [name=…] [split=0.7/0.1/0.2]', help: 'Load a CSV/Parquet file (or attach one to the message).' },
  datasets: { tool: 'list_datasets', usage: 'datasets', help: 'List the loaded datasets.' },
  eda: { tool: 'run_eda', positional: 'dataset', rest: 'question', usage: 'eda <dataset> [question]', help: 'Exploratory analysis with plots.' },
  generate: { tool: 'generate_pytorch_model', rest: 'request', usage: 'generate <request> [dataset=…] [lookback=…] [horizon=…]', help: 'Ask the neural architect for a model.' },
  validate: { tool: 'validate', positional: 'model', usage: 'validate <model> | validate ```code```', help: 'Check a model against the contract.' },
  models: { tool: 'list_models', usage: 'models [kind=generated]', help: 'List baselines and generated models.' },
  model: { tool: 'get_model', positional: 'model', usage: 'model <id | name>', help: 'Show one model and its code.' },
  search: { tool: 'search', positional: 'dataset', usage: 'search <dataset> [trials=20] [sampler=random|tpe] [candidates=dlinear,patchtst] [epochs=…]', help: 'Start an architecture + hyperparameter search; this thread is notified when it ends.' },
  status: { tool: 'search_status', positional: 'study', usage: 'status [study]', help: 'Progress of a study, or the recent studies.' },
  add: { tool: 'add_candidates', positional: 'study', usage: 'add <study> models=a,b', help: 'Add registered models to a running study; each is trained next.' },
  evolve: { tool: 'evolve_search', positional: 'study', usage: 'evolve <study> [rounds=1] [modelsPerRound=2] [request="…"]', help: 'More architect rounds: new models from the leaderboard join the study.' },
  cancel: { tool: 'cancel_search', positional: 'study', usage: 'cancel <study>', help: 'Cancel a running study.' },
  benchmark: { tool: 'benchmark', positional: 'study', usage: 'benchmark <study>', help: 'Benchmark a finished study’s top models.' },
  export: { tool: 'export_model', positional: 'study', usage: 'export <study>', help: 'Export the winner (state_dict, TorchScript, ONNX).' },
  subscribe: { tool: 'subscribe', positional: 'study', usage: 'subscribe [study]', help: 'Post results of every study (or one) to this channel.' },
  info: { tool: 'server_info', usage: 'info', help: 'Python, PyTorch, device and sandbox of the server.' },
};

/** Short names for options people type often. */
const ALIASES: Record<string, string> = { trials: 'maxTrials', minutes: 'maxMinutes', model: 'models' };
/** Options a chat user never sets: they choose paths on the server host. */
const HIDDEN = new Set(['out']);

export type ParsedCommand =
  | { kind: 'tool'; command: string; tool: string; args: Record<string, unknown> }
  | { kind: 'help' }
  | { kind: 'text'; text: string };

interface JsonSchema {
  type?: string | string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
}

const schemaCache = new Map<string, Record<string, JsonSchema>>();

/** The tool's input properties as JSON Schema (the same schemas the LLM and MCP clients see). */
export function inputProperties(tool: AnyTool): Record<string, JsonSchema> {
  let props = schemaCache.get(tool.name);
  if (!props) {
    props = ((z.toJSONSchema(tool.input, { io: 'input' }) as JsonSchema).properties ?? {}) as Record<string, JsonSchema>;
    schemaCache.set(tool.name, props);
  }
  return props;
}

const camel = (k: string): string => k.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).find((t) => t !== 'null') ?? 'string';
  return (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type) ?? 'string';
}

function scalar(type: string, raw: string, key: string): unknown {
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw badOption(`${key} must be a number, not "${raw}".`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(raw)) return true;
    if (/^(false|no|off|0)$/i.test(raw)) return false;
    throw badOption(`${key} must be true or false, not "${raw}".`);
  }
  return raw;
}

/** `key=value` strings → typed arguments for `tool`, using its input schema; unknown keys are refused. */
export function coerceOptions(tool: AnyTool, options: Record<string, string>): Record<string, unknown> {
  const props = inputProperties(tool);
  const out: Record<string, unknown> = {};
  for (const [rawKey, raw] of Object.entries(options)) {
    const lower = rawKey.toLowerCase();
    const key = ALIASES[lower] && props[ALIASES[lower]] ? ALIASES[lower] : (Object.keys(props).find((p) => p.toLowerCase() === camel(lower).toLowerCase()) ?? camel(rawKey));
    const schema = props[key];
    if (!schema || HIDDEN.has(key)) {
      const known = Object.keys(props).filter((k) => !HIDDEN.has(k));
      throw badOption(`${tool.name} has no option "${rawKey}".`, `Options: ${known.join(', ')}.`);
    }
    const type = typeOf(schema);
    if (type === 'array') {
      const itemType = typeOf(schema.items ?? {});
      out[key] = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .map((s) => scalar(itemType, s, key));
    } else {
      out[key] = scalar(type, raw, key);
    }
  }
  return out;
}

function isOption(tool: AnyTool, key: string): boolean {
  const props = inputProperties(tool);
  const lower = key.toLowerCase();
  return Boolean((ALIASES[lower] && props[ALIASES[lower]]) || Object.keys(props).some((p) => p.toLowerCase() === camel(lower).toLowerCase()));
}

function badOption(message: string, hint = 'Send `help` for the commands and their options.'): GenAutoMLError {
  return new GenAutoMLError('chat.bad_command', message, { hint });
}

/** Splits on spaces, keeping "quoted strings" and key="quoted values" together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /(\S+?=)?"([^"]*)"|(\S+?=)?'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) {
    if (m[2] !== undefined) tokens.push((m[1] ?? '') + m[2]);
    else if (m[4] !== undefined) tokens.push((m[3] ?? '') + m[4]);
    else if (m[5] !== undefined) tokens.push(m[5]);
  }
  return tokens;
}

/** Normalises chat punctuation: smart quotes, a leading `/automl`, surrounding spaces. */
function normalise(text: string): string {
  return text
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/^\s*\/?automl\b/i, '')
    .trim();
}

/**
 * Parses a message addressed to the bot. A known first word is a command; anything else is free
 * text for the conversation (or keyword matching without an LLM).
 */
export function parseCommand(input: string): ParsedCommand {
  let text = normalise(input);
  // A fenced code block is the `code` argument (validate), never tokenised.
  let code: string | undefined;
  const fence = /```(?:python|py)?\n?([\s\S]*?)```/.exec(text);
  if (fence) {
    code = fence[1];
    text = (text.slice(0, fence.index) + text.slice(fence.index + fence[0].length)).trim();
  }
  const [first, ...restTokens] = tokenize(text);
  const word = first?.toLowerCase();
  if (word === undefined) return code ? { kind: 'tool', command: 'validate', tool: 'validate', args: { code } } : { kind: 'help' };
  if (word === 'help' || word === '?') return { kind: 'help' };
  const spec = COMMANDS[word];
  if (!spec) return { kind: 'text', text: input.trim() };

  const tool = getTool(spec.tool);
  const options: Record<string, string> = {};
  const bare: string[] = [];
  for (const t of restTokens) {
    const eq = /^([A-Za-z][\w-]*)=(.*)$/s.exec(t);
    // In free-text fields (`generate <request>`) a `word=…` that is no option stays part of the text.
    if (eq && (!spec.rest || isOption(tool, eq[1] as string))) options[eq[1] as string] = eq[2] as string;
    else bare.push(t);
  }
  const args = coerceOptions(tool, options);
  if (code !== undefined) args.code = code;
  const words = [...bare];
  if (spec.positional && words.length > 0 && !(spec.positional in args)) {
    const value = words.shift() as string;
    if (spec.positional === 'source') Object.assign(args, /^https?:\/\//i.test(value) ? { url: value.replace(/^<|>$/g, '') } : { path: value });
    else args[spec.positional] = value;
  }
  if (spec.rest && words.length > 0) args[spec.rest] = words.join(' ');
  else if (words.length > 0) throw badOption(`Unexpected "${words.join(' ')}" after \`${word}\`.`, `Usage: \`${spec.usage}\``);
  return { kind: 'tool', command: word, tool: spec.tool, args };
}

/** The help text: every command with its usage. */
export function helpText(): string {
  return Object.values(COMMANDS)
    .map((c) => `\`${c.usage}\` — ${c.help}`)
    .join('\n');
}

/**
 * Without an LLM, free text is matched to the grammar by keywords: a command that needs no
 * argument runs, anything else gets the closest usage lines.
 */
export function matchKeywords(text: string): { run?: ParsedCommand; suggestions: string[] } {
  const t = text.toLowerCase();
  const has = (...words: string[]): boolean => words.some((w) => new RegExp(`\\b${w}\\b`).test(t));
  if (has('datasets', 'data sets', 'my data')) return { run: { kind: 'tool', command: 'datasets', tool: 'list_datasets', args: {} }, suggestions: [] };
  if (has('models', 'baselines', 'zoo')) return { run: { kind: 'tool', command: 'models', tool: 'list_models', args: {} }, suggestions: [] };
  if (has('studies', 'searches', 'status', 'progress')) return { run: { kind: 'tool', command: 'status', tool: 'search_status', args: {} }, suggestions: [] };
  if (has('server', 'gpu', 'cuda', 'torch', 'pytorch')) return { run: { kind: 'tool', command: 'info', tool: 'server_info', args: {} }, suggestions: [] };
  const suggestions: string[] = [];
  const suggest = (cmd: string): void => {
    const c = COMMANDS[cmd];
    if (c) suggestions.push(`\`${c.usage}\` — ${c.help}`);
  };
  if (has('load', 'upload', 'csv', 'parquet', 'file')) suggest('load');
  if (has('eda', 'explore', 'analy[sz]e', 'analysis', 'plot', 'plots')) suggest('eda');
  if (has('generate', 'design', 'build', 'create', 'architect')) suggest('generate');
  if (has('validate', 'check')) suggest('validate');
  if (has('search', 'train', 'tune', 'optimi[sz]e', 'best')) suggest('search');
  if (has('cancel', 'stop', 'abort')) suggest('cancel');
  if (has('benchmark', 'compare', 'latency')) suggest('benchmark');
  if (has('export', 'download', 'onnx', 'torchscript', 'weights')) suggest('export');
  return { suggestions };
}
