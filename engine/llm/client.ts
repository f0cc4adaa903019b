/**
 * The one LLM client: OpenAI-compatible chat completions over plain fetch (Groq, OpenAI,
 * Ollama, vLLM, LM Studio…), with a per-request timeout, the shared retry policy (backoff with
 * jitter, Retry-After honoured up to a cap) and one error mapping. The architect and the chat
 * bots both call it; Groq is only a preset of its endpoint (presets.ts).
 */
import { GenAutoMLError } from '../errors.js';
import { httpFailure } from './http-errors.js';
import type { LlmEndpoint } from './presets.js';
import { DEFAULT_RETRY, RetryableFailure, cancelled, withRetries, type RetryPolicy } from './retry.js';
import type { LlmClient, LlmReply, LlmRequest } from './types.js';
import { completionBody, parseCompletion, timeoutError } from './wire.js';

export interface LlmClientOptions {
  /** Overrides of the retry policy (tests shorten the waits); maxRetries comes from the endpoint. */
  retry?: Partial<RetryPolicy>;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** Largest reply body read; a chat reply is a few kB, anything huge is a misbehaving server. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export function createLlmClient(endpoint: LlmEndpoint, options: LlmClientOptions = {}): LlmClient {
  if (!endpoint.model) {
    throw new GenAutoMLError('llm.not_configured', 'No model is configured for the LLM endpoint', { hint: `Set ${endpoint.modelVariable}.` });
  }
  const url = `${endpoint.apiBase}/chat/completions`;
  const label = endpoint.kind === 'groq' ? 'Groq' : `the LLM endpoint ${new URL(url).origin}`;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, maxRetries: endpoint.maxRetries, ...options.retry };
  const fetchImpl = options.fetch ?? fetch;

  const networkError = (err: unknown, timedOut: boolean, signal: AbortSignal | undefined): Error => {
    if (timedOut) return timeoutError(label, endpoint.timeoutMs);
    if (signal?.aborted) return cancelled();
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    // Connection resets and refusals are often transient (a server restarting), so they retry.
    const final = new GenAutoMLError('llm.unreachable', `Could not reach ${label}: ${cause}`, {
      hint: `Check ${endpoint.baseUrlVariable}, the network, and that the server is running.`,
    });
    return new RetryableFailure(null, cause, null, final);
  };

  const once = async (body: string, signal: AbortSignal | undefined): Promise<LlmReply> => {
    if (signal?.aborted) throw cancelled();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, endpoint.timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
      let res: Response;
      let text: string;
      try {
        res = await fetchImpl(url, { method: 'POST', headers, body, signal: controller.signal });
        text = await res.text();
      } catch (err) {
        throw networkError(err, timedOut, signal);
      }
      if (text.length > MAX_REPLY_BYTES) {
        throw new GenAutoMLError('llm.bad_reply', `${label} sent a ${text.length}-byte reply, more than a chat reply can be`);
      }
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        if (res.ok) {
          throw new GenAutoMLError('llm.bad_reply', `${label} sent a reply that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, {
            hint: `Check that ${endpoint.baseUrlVariable} points at an OpenAI-compatible API (it usually ends in /v1).`,
          });
        }
      }
      if (!res.ok) {
        throw httpFailure(res.status, json, (n) => res.headers.get(n), {
          label,
          model: endpoint.model,
          keySent: Boolean(endpoint.apiKey),
          keyVariable: endpoint.keyVariable,
          modelVariable: endpoint.modelVariable,
        });
      }
      return parseCompletion(json, label, endpoint.model);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    kind: endpoint.kind,
    model: endpoint.model,
    complete(request: LlmRequest): Promise<LlmReply> {
      const body = JSON.stringify(completionBody(endpoint.model, request));
      return withRetries(() => once(body, request.signal), policy, request.signal ? { signal: request.signal } : {});
    },
  };
}
