/**
 * Groq through its official SDK. The SDK's own retries are switched off (maxRetries: 0) and the
 * project's retry policy wraps each call instead, so 429/5xx handling, Retry-After and error
 * messages are the same as for every other endpoint and are tested once.
 */
import Groq, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'groq-sdk';
import { GenAutoMLError } from '../../errors.js';
import type { ChatMessage, ChatOptions, ChatProvider, ChatReply } from '../types.js';
import { httpFailure } from './http-errors.js';
import { DEFAULT_RETRY, RetryableFailure, cancelled, withRetries, type RetryPolicy } from './retry.js';
import { parseCompletion, timeoutError } from './wire.js';

export const GROQ_DEFAULT_BASE_URL = 'https://api.groq.com';

export interface GroqOptions {
  apiKey: string | undefined;
  model: string;
  /** Without it the SDK would read GROQ_BASE_URL from the environment; we always pass one. */
  baseUrl?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  temperature?: number;
  maxTokens?: number;
}

const LABEL = 'Groq';

export class GroqProvider implements ChatProvider {
  readonly kind = 'groq' as const;
  readonly model: string;
  private readonly client: Groq;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly temperature: number;
  private readonly maxTokens: number;

  constructor(options: GroqOptions) {
    if (!options.apiKey) {
      throw new GenAutoMLError('llm.missing_key', 'Groq needs an API key and GROQ_API_KEY is not set', {
        hint: 'Set GROQ_API_KEY (console.groq.com/keys), or unset GENAUTOML_LLM_PROVIDER to use the offline architect.',
      });
    }
    this.model = options.model;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.temperature = options.temperature ?? 0.3;
    this.maxTokens = options.maxTokens ?? 4096;
    this.client = new Groq({
      apiKey: options.apiKey,
      baseURL: options.baseUrl ?? GROQ_DEFAULT_BASE_URL,
      timeout: this.timeoutMs,
      maxRetries: 0,
    });
  }

  chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatReply> {
    return withRetries(() => this.once(messages, options.signal), this.retry, { signal: options.signal });
  }

  private async once(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatReply> {
    if (signal?.aborted) throw cancelled();
    let raw: unknown;
    try {
      raw = await this.client.chat.completions.create(
        { model: this.model, messages, temperature: this.temperature, max_tokens: this.maxTokens, stream: false },
        signal ? { signal } : {},
      );
    } catch (err) {
      throw this.translate(err, signal);
    }
    return parseCompletion(raw, LABEL, this.model);
  }

  private translate(err: unknown, signal: AbortSignal | undefined): Error {
    if (err instanceof APIConnectionTimeoutError) return timeoutError(LABEL, this.timeoutMs);
    if (err instanceof APIUserAbortError || signal?.aborted) return cancelled();
    if (err instanceof APIError && typeof err.status === 'number') {
      const headers = err.headers;
      return httpFailure(err.status, err.error, (n) => headers?.get(n), {
        label: LABEL,
        model: this.model,
        keySent: true,
        keyVariable: 'GROQ_API_KEY',
        modelVariable: 'GENAUTOML_GROQ_MODEL',
      });
    }
    if (err instanceof APIError) {
      // A connection failure (no status): transient more often than not, so it is retried.
      const final = new GenAutoMLError('llm.unreachable', `Could not reach Groq: ${err.message}`, {
        hint: 'Check the network, or GENAUTOML_GROQ_BASE_URL if set.',
      });
      return new RetryableFailure(null, err.message, null, final);
    }
    if (err instanceof SyntaxError) {
      return new GenAutoMLError('llm.bad_reply', `Groq sent a reply that is not valid JSON: ${err.message}`, {
        hint: 'A proxy may be rewriting replies; check GENAUTOML_GROQ_BASE_URL.',
      });
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
