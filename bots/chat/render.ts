/**
 * Tool results and errors as platform-neutral chat messages (engine/notify/message.ts). Each
 * platform adapter renders the ChatMessage; files (long code, logs) travel beside it.
 */
import { toGenAutoMLError } from '../../engine/errors.js';
import type { ChatMessage, MessageTable } from '../../engine/notify/message.js';
import type { AnyTool, ToolResult } from '../../tools/define.js';
import { helpText } from './grammar.js';

export interface ChatFile {
  name: string;
  content: Buffer;
}

/** What the bot answers: the message plus files to upload with it. */
export interface BotReply {
  message: ChatMessage;
  files: ChatFile[];
}

/** Code longer than this goes out as a file instead of an inline block. */
export const INLINE_CODE_MAX_LINES = 30;
export const INLINE_CODE_MAX_CHARS = 2000;
const TABLE_MAX_ROWS = 15;
const TABLE_MAX_COLUMNS = 6;
const CELL_MAX = 40;

export function isLongCode(text: string): boolean {
  return text.length > INLINE_CODE_MAX_CHARS || text.split('\n').length > INLINE_CODE_MAX_LINES;
}

function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '—';
  else if (typeof v === 'number') s = Number.isInteger(v) ? String(v) : v.toPrecision(4);
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'boolean') s = v ? 'yes' : 'no';
  else if (Array.isArray(v)) s = v.every((x) => typeof x !== 'object') ? v.join(', ') : `${v.length} items`;
  else s = JSON.stringify(v);
  return s.length > CELL_MAX ? `${s.slice(0, CELL_MAX - 1)}…` : s;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first top-level array of records in a result, as a table of its scalar columns. */
export function tableFrom(data: Record<string, unknown>): MessageTable | undefined {
  for (const value of Object.values(data)) {
    if (!Array.isArray(value) || value.length === 0 || !value.every(isRecord)) continue;
    const rows = value as Record<string, unknown>[];
    const first = rows[0] as Record<string, unknown>;
    const columns = Object.keys(first)
      .filter((k) => rows.some((r) => r[k] !== null && typeof r[k] !== 'object') || rows.every((r) => Array.isArray(r[k]) && (r[k] as unknown[]).every((x) => typeof x !== 'object')))
      .slice(0, TABLE_MAX_COLUMNS);
    if (columns.length === 0) continue;
    const shown = rows.slice(0, TABLE_MAX_ROWS).map((r) => columns.map((c) => cell(r[c])));
    if (rows.length > TABLE_MAX_ROWS) shown.push([`… ${rows.length - TABLE_MAX_ROWS} more`, ...columns.slice(1).map(() => '')]);
    return { columns, rows: shown };
  }
  return undefined;
}

/** A tool's result as a chat reply: summary text, a table, plots, code inline or attached. */
export function renderToolResult(tool: AnyTool, result: ToolResult<Record<string, unknown>>): BotReply {
  const message: ChatMessage = { title: tool.title, text: result.summary, tone: 'good' };
  const table = tableFrom(result.data);
  if (table) message.table = table;
  if (result.images?.length) message.images = result.images.map((i) => ({ name: i.name.endsWith('.png') ? i.name : `${i.name}.png`, title: i.title, png: i.png }));
  const files: ChatFile[] = [];
  for (const a of result.attachments ?? []) {
    if (!message.code && a.name.endsWith('.py')) {
      message.code = { language: 'python', text: a.text, filename: a.name };
      if (isLongCode(a.text)) files.push({ name: a.name, content: Buffer.from(a.text) });
    } else {
      files.push({ name: a.name, content: Buffer.from(a.text) });
    }
  }
  if (result.data.ok === false || result.data.valid === false) message.tone = 'warning';
  return { message, files };
}

export function renderError(err: unknown): BotReply {
  const e = toGenAutoMLError(err);
  return { message: { title: 'That did not work', text: `${e.message}${e.hint ? `\n${e.hint}` : ''}`, footer: e.code, tone: 'danger' }, files: [] };
}

export function renderRefusal(text: string): BotReply {
  return { message: { title: 'Not allowed', text, tone: 'warning' }, files: [] };
}

export const CONVERSATION_HINT =
  'Conversation is off: set GROQ_API_KEY (or GENAUTOML_LLM_BASE_URL and GENAUTOML_LLM_MODEL) on the server to talk to me in plain language.';

export function renderHelp(extra?: string): BotReply {
  return { message: { title: 'genautoml commands', text: helpText(), ...(extra ? { footer: extra } : {}), tone: 'neutral' }, files: [] };
}

/** The one-line progress message shown while a long tool runs. */
export function renderProgress(tool: AnyTool, progress?: { done: number; total?: number; message?: string }): ChatMessage {
  const counter = progress ? (progress.total ? ` (${progress.done}/${progress.total})` : '') : '';
  return { title: `${tool.title}…`, text: progress?.message ? `${progress.message}${counter}` : 'Working on it.', tone: 'neutral' };
}
