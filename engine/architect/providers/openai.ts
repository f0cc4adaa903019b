/**
 * Any OpenAI-compatible chat-completions endpoint (Ollama, vLLM, LM Studio, hosted APIs) through
 * plain fetch: base URL + optional bearer key + model.
 */
import { GenAutoMLError } from '../../errors.js';
import type { ChatMessage, ChatOptions, ChatProvider, ChatReply } from '../types.js';
import { httpFailure } from './http-errors.js';
import { DEFAULT_RETRY, RetryableFailure, cancelled, withRetries, type RetryPolicy } from './retry.js';
import { parseCompletion, timeoutError, type CompletionBody } from './wire.js';

export interface OpenAICompatibleOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  temperature?: number;
  maxTokens?: number;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** Largest reply body read; a chat reply is a few kB, anything huge is a misbehaving server. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export class OpenAICompatibleProvider implements ChatProvider {
  readonly kind = 'openai' as const;
  readonly model: string;
  private readonly url: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly fetchImpl: typeof fetch;
  private readonly label: string;

  constructor(options: OpenAICompatibleOptions) {
    if (!options.model) {
      throw new GenAutoMLError('llm.unknown_model', 'No model is configured for the OpenAI-compatible endpoint', {
        hint: 'Set GENAUTOML_LLM_MODEL.',
      });
    }
    this.model = options.model;
    // Users paste either the /v1 base or the full endpoint; accept both.
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = /\/chat\/completions$/.test(base) ? base : `${base}/chat/completions`;
    this.label = `the LLM endpoint ${new URL(this.url).origin}`;
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.temperature = options.temperature ?? 0.3;
    this.maxTokens = options.maxTokens ?? 4096;
    this.fetchImpl = options.fetch ?? fetch;
  }

  chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatReply> {
    const body: CompletionBody = { model: this.model, messages, temperature: this.temperature, max_tokens: this.maxTokens };
    return withRetries(() => this.once(body, options.signal), this.retry, { signal: options.signal });
  }

  private async once(body: CompletionBody, signal: AbortSignal | undefined): Promise<ChatReply> {
    if (signal?.aborted) throw cancelled();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
      let res: Response;
      try {
        res = await this.fetchImpl(this.url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
      } catch (err) {
        throw this.networkError(err, timedOut, signal);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw this.networkError(err, timedOut, signal);
      }
      if (text.length > MAX_REPLY_BYTES) {
        throw new GenAutoMLError('llm.bad_reply', `${this.label} sent a ${text.length}-byte reply, more than a chat reply can be`);
      }
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        if (res.ok) {
          throw new GenAutoMLError('llm.bad_reply', `${this.label} sent a reply that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, {
            hint: 'Check that the base URL points at an OpenAI-compatible API (it usually ends in /v1).',
          });
        }
      }
      if (!res.ok) {
        throw httpFailure(res.status, json, (n) => res.headers.get(n), {
          label: this.label,
          model: this.model,
          keySent: Boolean(this.apiKey),
          keyVariable: 'GENAUTOML_LLM_API_KEY',
          modelVariable: 'GENAUTOML_LLM_MODEL',
        });
      }
      return parseCompletion(json, this.label, this.model);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private networkError(err: unknown, timedOut: boolean, signal: AbortSignal | undefined): Error {
    if (timedOut) return timeoutError(this.label, this.timeoutMs);
    if (signal?.aborted) return cancelled();
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    // Connection resets and refusals are often transient (a server restarting), so they retry.
    const final = new GenAutoMLError('llm.unreachable', `Could not reach ${this.label}: ${cause}`, {
      hint: 'Check GENAUTOML_LLM_BASE_URL and that the server is running.',
    });
    return new RetryableFailure(null, cause, null, final);
  }
}
