/**
 * The chat core both bots share: a message addressed to the bot becomes tool calls through the
 * one registry (tools/index.ts → invokeTool), and their results become chat replies. It owns
 * access control, rate limits, uploads, progress updates and the LLM conversation; the platform
 * adapters only translate events in and replies out.
 */
import { z } from 'zod';
import type { App } from '../../engine/app.js';
import { GenAutoMLError } from '../../engine/errors.js';
import type { LlmClient, LlmMessage, LlmToolSpec } from '../../engine/llm/types.js';
import type { Logger } from '../../engine/log.js';
import type { AnyTool, Progress, ToolResult } from '../../tools/define.js';
import { getTool, TOOLS } from '../../tools/index.js';
import { invokeTool } from '../../tools/invoke.js';
import { formatChatOrigin } from '../../tools/origin.js';
import { checkAccess, RateLimiter } from './access.js';
import { matchKeywords, parseCommand, type ParsedCommand } from './grammar.js';
import { askWithTools, conversationLlm } from './llm.js';
import { type BotReply, type ChatFile, CONVERSATION_HINT, renderError, renderHelp, renderProgress, renderRefusal, renderToolResult } from './render.js';

export interface IncomingFile {
  name: string;
  size: number;
  download(): Promise<Buffer>;
}

export interface ChatRequest {
  platform: 'slack' | 'discord';
  workspace: string;
  channel: string;
  /** The thread replies and notifications go to (Slack thread_ts; Discord message/interaction id). */
  thread: string;
  user: string;
  /** The text addressed to the bot, mention removed. */
  text: string;
  files?: IncomingFile[];
  /** Already parsed (Discord slash-command options); skips the text grammar. */
  command?: ParsedCommand;
}

/** Where the answer goes. The first call posts; later calls replace it (progress → result). */
export interface ReplyTarget {
  progress(reply: BotReply): Promise<void>;
  final(reply: BotReply): Promise<void>;
}

export interface ChatCoreOptions {
  llm?: LlmClient | null;
  /** Minimum milliseconds between progress edits of one reply. */
  progressIntervalMs?: number;
  now?: () => number;
  tools?: readonly AnyTool[];
}

const DATA_FILE = /\.(csv|tsv|txt|parquet|pq)$/i;
const ARTIFACT_URI = /^genautoml:\/\/artifacts\/([0-9a-f]{64})$/;
/** Linked artefacts one reply may carry: under Discord's 10 MiB a message, with room for the rest of the reply. */
const LINKED_FILES_MAX_BYTES = 8 * 1024 * 1024;
const HISTORY_MAX = 12;
const MAX_TOOL_ROUNDS = 6;
const TOOL_RESULT_MAX_CHARS = 6000;

export class ChatCore {
  readonly llm: LlmClient | null;
  private readonly limiter: RateLimiter;
  private readonly history = new Map<string, LlmMessage[]>();
  private readonly progressIntervalMs: number;
  private readonly tools: readonly AnyTool[];
  private readonly logger: Logger;

  constructor(
    readonly app: App,
    options: ChatCoreOptions = {},
  ) {
    this.llm = options.llm === undefined ? conversationLlm(app.config) : options.llm;
    this.limiter = new RateLimiter(app.config.botRateLimitPerMinute, options.now);
    this.progressIntervalMs = options.progressIntervalMs ?? 2000;
    this.tools = options.tools ?? TOOLS;
    this.logger = app.logger.child({ component: 'chat' });
  }

  /** Answers one message. Never throws: failures become error replies. */
  async handle(req: ChatRequest, target: ReplyTarget): Promise<void> {
    try {
      const refusal = checkAccess(this.app.config, req);
      if (refusal) return await target.final(renderRefusal(refusal));
      const rate = this.limiter.take(`${req.platform}:${req.workspace}:${req.user}`);
      if (!rate.ok)
        return await target.final(renderRefusal(`You are sending commands faster than ${this.app.config.botRateLimitPerMinute} a minute. Try again in ${Math.ceil(rate.retryAfterMs / 1000)} s.`));
      await this.dispatch(req, target);
    } catch (err) {
      this.logger.warn('chat request failed', { err, platform: req.platform, user: req.user });
      await target.final(renderError(err)).catch((e: unknown) => this.logger.error('could not post the error reply', { err: e }));
    }
  }

  private async dispatch(req: ChatRequest, target: ReplyTarget): Promise<void> {
    const dataFiles = (req.files ?? []).filter((f) => DATA_FILE.test(f.name));
    let command = req.command ?? parseCommand(req.text);
    if (dataFiles.length > 0 && (command.kind !== 'tool' || command.tool === 'load_dataset')) {
      const file = dataFiles[0] as IncomingFile;
      if (file.size > this.app.config.maxUploadBytes)
        return target.final(renderRefusal(`${file.name} is ${file.size} bytes; the limit is ${this.app.config.maxUploadBytes} (GENAUTOML_MAX_UPLOAD_BYTES).`));
      const content = await file.download();
      if (content.length > this.app.config.maxUploadBytes)
        return target.final(renderRefusal(`${file.name} is larger than the limit of ${this.app.config.maxUploadBytes} bytes (GENAUTOML_MAX_UPLOAD_BYTES).`));
      const base = command.kind === 'tool' ? command.args : {};
      command = { kind: 'tool', command: 'load', tool: 'load_dataset', args: { name: file.name, ...base, content: content.toString('base64') } };
    }
    if (command.kind === 'help') return target.final(renderHelp(this.llm ? 'Or just ask in plain language.' : undefined));
    if (command.kind === 'tool') return this.runTool(req, command.tool, command.args, target);
    if (this.llm) return this.converse(req, command.text, target);
    const match = matchKeywords(command.text);
    if (match.run?.kind === 'tool') return this.runTool(req, match.run.tool, match.run.args, target, CONVERSATION_HINT);
    const reply = renderHelp(CONVERSATION_HINT);
    if (match.suggestions.length > 0) reply.message = { ...reply.message, title: 'Did you mean', text: match.suggestions.join('\n') };
    return target.final(reply);
  }

  origin(req: ChatRequest): string {
    return formatChatOrigin({ platform: req.platform, workspace: req.workspace || 'dm', channel: req.channel, thread: req.thread });
  }

  /** Runs one tool, showing progress for long ones, and posts its rendered result. */
  async runTool(req: ChatRequest, name: string, args: Record<string, unknown>, target: ReplyTarget, footer?: string): Promise<void> {
    const tool = getTool(name, this.tools);
    let pending: Promise<void> = Promise.resolve();
    let last = 0;
    const progress = (p: Progress): void => {
      if (!tool.long) return;
      const t = Date.now();
      if (t - last < this.progressIntervalMs) return;
      last = t;
      pending = pending.then(() => target.progress({ message: renderProgress(tool, p), files: [] })).catch(() => {});
    };
    if (tool.long) {
      last = Date.now();
      await target.progress({ message: renderProgress(tool), files: [] });
    }
    const result = await this.invoke(req, tool, args, progress);
    await pending;
    const reply = renderToolResult(tool, result);
    const linked = await this.linkedFiles(result, reply.files);
    reply.files.push(...linked.files);
    const notes = [...(linked.skipped.length ? [`Too large to attach here: ${linked.skipped.join(', ')}.`] : []), ...(footer ? [footer] : [])];
    if (notes.length) reply.message.footer = notes.join('\n');
    await target.final(reply);
  }

  /**
   * The stored files a result links to (an export's model.py, weights, TorchScript, ONNX), as
   * attachments: a chat user can read neither the server's disk nor MCP resources, so the links
   * alone would leave them nothing to download.
   */
  private async linkedFiles(result: ToolResult<Record<string, unknown>>, present: readonly ChatFile[]): Promise<{ files: ChatFile[]; skipped: string[] }> {
    const files: ChatFile[] = [];
    const skipped: string[] = [];
    let total = present.reduce((n, f) => n + f.content.length, 0);
    for (const link of result.links ?? []) {
      const sha = ARTIFACT_URI.exec(link.uri)?.[1];
      if (!sha || present.some((f) => f.name === link.name) || files.some((f) => f.name === link.name)) continue;
      const content = await this.app.artifacts.get(sha);
      if (total + content.length > LINKED_FILES_MAX_BYTES) {
        skipped.push(link.name);
        continue;
      }
      total += content.length;
      files.push({ name: link.name, content });
    }
    return { files, skipped };
  }

  private invoke(req: ChatRequest, tool: AnyTool, args: Record<string, unknown>, progress: (p: Progress) => void): Promise<ToolResult<Record<string, unknown>>> {
    const origin = this.origin(req);
    this.logger.info('chat tool call', { tool: tool.name, origin, user: req.user });
    return invokeTool(tool, args, { app: this.app, progress, signal: new AbortController().signal, logger: this.logger.child({ tool: tool.name, origin }), origin });
  }

  /** The tools as OpenAI function specs, from the same zod schemas MCP publishes. */
  toolSpecs(): LlmToolSpec[] {
    return this.tools.map((t) => {
      const parameters = z.toJSONSchema(t.input, { io: 'input' }) as Record<string, unknown>;
      delete parameters.$schema;
      const props = parameters.properties as Record<string, unknown> | undefined;
      if (props) delete props.out; // server paths are the CLI's business
      return { type: 'function', function: { name: t.name, description: t.description, parameters } };
    });
  }

  /** Free text with an LLM: a tool-calling loop over the registry, with a short per-thread history. */
  private async converse(req: ChatRequest, text: string, target: ReplyTarget): Promise<void> {
    const llm = this.llm as LlmClient;
    const key = `${req.platform}:${req.workspace}/${req.channel}/${req.thread}`;
    const history = this.history.get(key) ?? [];
    const messages: LlmMessage[] = [{ role: 'system', content: systemPrompt(req.platform) }, ...history, { role: 'user', content: text }];
    const specs = this.toolSpecs();
    const images: NonNullable<BotReply['message']['images']> = [];
    const files: BotReply['files'] = [];
    const used: string[] = [];
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const answer = await askWithTools(llm, messages, specs);
      if (answer.toolCalls.length === 0) {
        const content = answer.content?.trim() || '(no answer)';
        this.history.set(key, [...history, { role: 'user' as const, content: text }, { role: 'assistant' as const, content }].slice(-HISTORY_MAX));
        return target.final({
          message: { title: 'genautoml', text: content, ...(images.length ? { images } : {}), ...(used.length ? { footer: `Tools used: ${used.join(', ')}` } : {}), tone: 'neutral' },
          files,
        });
      }
      messages.push({ role: 'assistant', content: answer.content, tool_calls: answer.toolCalls });
      for (const call of answer.toolCalls) {
        used.push(call.function.name);
        let content: string;
        try {
          const tool = getTool(call.function.name, this.tools);
          let args: Record<string, unknown>;
          try {
            args = call.function.arguments ? (JSON.parse(call.function.arguments) as Record<string, unknown>) : {};
          } catch {
            throw new GenAutoMLError('tool.invalid_arguments', `The arguments for ${tool.name} are not JSON.`, { hint: 'Send the arguments as a JSON object.' });
          }
          if (args && typeof args === 'object') delete args.out;
          if (tool.long) await target.progress({ message: renderProgress(tool), files: [] });
          const result = await this.invoke(req, tool, args, () => {});
          const rendered = renderToolResult(tool, result);
          images.push(...(rendered.message.images ?? []));
          files.push(...rendered.files, ...(await this.linkedFiles(result, [...files, ...rendered.files])).files);
          content = JSON.stringify({ summary: result.summary, data: result.data }).slice(0, TOOL_RESULT_MAX_CHARS);
        } catch (err) {
          const e = renderError(err).message;
          content = JSON.stringify({ error: e.text, code: e.footer });
        }
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
    await target.final({ message: { title: 'genautoml', text: 'I stopped after too many tool calls; please ask more specifically or use a command (`help`).', tone: 'warning' }, files });
  }
}

function systemPrompt(platform: string): string {
  return (
    `You are genautoml, a ${platform} assistant that turns time-series data into small validated PyTorch models. ` +
    'Use the tools to answer: load_dataset, run_eda, generate_pytorch_model, validate, search (starts a study; this thread is notified when it ends), ' +
    'search_status, cancel_search, benchmark, export_model and the list tools. Never invent ids: list them with a tool. Answer briefly, in plain text.'
  );
}
