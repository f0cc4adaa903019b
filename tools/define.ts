/**
 * The tool contract. A tool is one file: zod input and output schemas, MCP annotations, and a
 * handler that checks its arguments, calls the engine and shapes the result. The MCP server,
 * the CLI and the chat bots all serve the same explicit list (tools/index.ts); none of them adds
 * behaviour of its own.
 */
import { z } from 'zod';
import type { App } from '../engine/app.js';
import { GenAutoMLError } from '../engine/errors.js';
import type { Logger } from '../engine/log.js';

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface Progress {
  done: number;
  total?: number;
  message?: string;
}

export type ProgressReporter = (progress: Progress) => void;

export interface ToolContext {
  app: App;
  progress: ProgressReporter;
  signal: AbortSignal;
  logger: Logger;
  /**
   * Who is calling, for subscriptions and audit: `mcp`, `cli`, or a chat origin
   * `slack:<team>/<channel>/<thread_ts>` / `discord:<guild>/<channel>/<message or interaction id>`
   * (ids never contain `/`; `dm` stands for a missing guild). A search started with a chat origin
   * subscribes that channel/thread to the study's end (tools/origin.ts).
   */
  origin: string;
  /**
   * How long a handler may stay waiting for background work (a study it started) before it
   * answers with the handle instead. Undefined: no bound (a one-shot CLI command waits to the end).
   * MCP clients time a request out after 60 s, so the MCP edge sets MAX_WAIT_MS (tools/runs.ts).
   */
  maxWaitMs?: number;
}

/** A PNG a tool returns; edges show the thumbnail inline and link the full image. */
export interface ToolImage {
  name: string;
  title: string;
  png: Buffer;
  thumbnail?: Buffer;
  /** Resource URI of the stored full-size image, when it was stored. */
  uri?: string;
  /**
   * Shown inline by the MCP edge (the caller asked for `plots: "inline"`). Otherwise MCP clients
   * get the resource link only, so an image does not fill a model's context unasked; the CLI and
   * the bots, which show images to people, always get them.
   */
  inline?: boolean;
}

/** A link to a stored object (dataset, model, study, artefact) an edge may expose. */
export interface ToolLink {
  uri: string;
  name: string;
  mimeType?: string;
  description?: string;
}

export interface ToolResult<O> {
  /** Structured result; must satisfy the tool's output schema. */
  data: O;
  /** A few lines for humans (chat text, CLI output, MCP text content). */
  summary: string;
  images?: ToolImage[];
  links?: ToolLink[];
  /** Long text (code, logs) the edges may attach as a file. */
  attachments?: { name: string; text: string }[];
}

export interface ToolCli {
  /** Command name when it should differ from the tool name (`load` for `load_dataset`); the tool name stays an alias. */
  name?: string;
  /**
   * Input fields taken as positional arguments, in order (each may still be given as a flag).
   * Without it the first required string field is positional; `[]` means none.
   */
  positional?: string[];
  /** Fields that name a local path: resolved against the caller's working directory (`load ../data/x.csv`). */
  paths?: string[];
  /** Fields that may name a local file on the command line; its text is passed instead (`validate model.py`). */
  files?: string[];
  /** Argument defaults for the command line only, e.g. a one-shot `search` waits for its study. */
  defaults?: Record<string, unknown>;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /** Long-running: edges show progress and support cancellation. */
  long?: boolean;
  /**
   * Can take longer than a client waits: the MCP edge runs it detached from the request
   * (tools/runs.ts), waits at most MAX_WAIT_MS, and otherwise answers with a task handle that
   * task_status (or the MCP Tasks protocol) follows. Such a tool's published output schema has
   * every field optional plus `task`.
   */
  background?: boolean;
  /**
   * The tool enqueues background jobs (trials). An edge without a worker of its own, such as a
   * one-shot CLI command on the embedded database, runs one in-process while the tool runs.
   */
  needsWorker?: boolean;
  /** How the CLI presents the tool; without it the command is the tool's name and every field is a flag. */
  cli?: ToolCli;
  handler(args: z.output<I>, ctx: ToolContext): Promise<ToolResult<z.output<O>>>;
}

/** The `plots` argument of tools that draw: resource links by default, inline images when asked. */
export const plotsOption = z
  .enum(['links', 'inline'])
  .default('links')
  .describe('"links" (default): plots come back as resource links to read on demand; "inline": also as images in the result.');

/**
 * Every tool's arguments are a strict object: a misspelt or unknown field is refused with
 * tool.invalid_arguments naming it, instead of being dropped and the call run without it.
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return { ...def, input: def.input.strict() as I };
}

/** tool.invalid_arguments for a combination of arguments a tool does not take. */
export function conflictingArguments(tool: string, message: string, hint: string): GenAutoMLError {
  return new GenAutoMLError('tool.invalid_arguments', `Invalid arguments for ${tool}: ${message}`, { hint });
}

/** The list type: tools with different schemas side by side. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDefinition<any, any>;
