/**
 * A small tool-calling client for OpenAI-compatible chat completions (OpenAI, Groq, Ollama,
 * vLLM…): `POST {base}/chat/completions` with `tools`, answered by text or `tool_calls`. The
 * architect's ChatProvider speaks plain chat only; the conversation needs tool calls.
 */
import { type Config, resolveLlmProvider } from '../../engine/config.js';
import { GenAutoMLError } from '../../engine/errors.js';

export const GROQ_BASE_URL = 'https://api.groq.com/openai/v1';

export interface LlmToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: LlmToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface LlmToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface LlmClient {
  readonly model: string;
  complete(messages: LlmMessage[], tools: LlmToolSpec[], signal?: AbortSignal): Promise<{ content: string | null; toolCalls: LlmToolCall[] }>;
}

export interface LlmEndpoint {
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

/** The configured endpoint, or undefined when no LLM is configured (conversation off). */
export function llmEndpoint(config: Config): LlmEndpoint | undefined {
  const provider = resolveLlmProvider(config);
  const common = { timeoutMs: config.llmTimeoutMs, maxRetries: config.llmMaxRetries };
  if (provider === 'groq' && config.groqApiKey)
    return { baseUrl: config.groqBaseUrl ?? GROQ_BASE_URL, apiKey: config.groqApiKey, model: config.groqModel, ...common };
  if (provider === 'openai' && config.llmBaseUrl && config.llmModel)
    return { baseUrl: config.llmBaseUrl, ...(config.llmApiKey ? { apiKey: config.llmApiKey } : {}), model: config.llmModel, ...common };
  return undefined;
}

interface WireResponse {
  choices?: { message?: { content?: string | null; tool_calls?: LlmToolCall[] } }[];
  error?: { message?: string };
}

export function createLlmClient(endpoint: LlmEndpoint, fetchFn: typeof fetch = fetch): LlmClient {
  const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    model: endpoint.model,
    async complete(messages, tools, signal) {
      const body = JSON.stringify({ model: endpoint.model, messages, ...(tools.length ? { tools, tool_choice: 'auto' } : {}), temperature: 0.2 });
      for (let attempt = 0; ; attempt++) {
        const timeout = AbortSignal.timeout(endpoint.timeoutMs);
        let res: Response;
        try {
          res = await fetchFn(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) },
            body,
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          });
        } catch (err) {
          if (attempt < endpoint.maxRetries && !signal?.aborted) {
            await sleep(backoff(attempt));
            continue;
          }
          throw new GenAutoMLError('llm.unreachable', `The LLM at ${endpoint.baseUrl} did not answer: ${(err as Error).message}.`, { cause: err, hint: 'Check GENAUTOML_LLM_BASE_URL / GROQ_API_KEY and the network.' });
        }
        if ((res.status === 429 || res.status >= 500) && attempt < endpoint.maxRetries) {
          const retryAfter = Number(res.headers.get('retry-after'));
          await res.body?.cancel();
          await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : backoff(attempt));
          continue;
        }
        const text = await res.text();
        let json: WireResponse;
        try {
          json = JSON.parse(text) as WireResponse;
        } catch {
          throw new GenAutoMLError('llm.bad_response', `The LLM answered HTTP ${res.status} with something that is not JSON.`, { hint: 'Check that the endpoint speaks the OpenAI chat-completions API.' });
        }
        if (!res.ok) throw new GenAutoMLError('llm.request_failed', `The LLM refused the request (HTTP ${res.status}): ${json.error?.message ?? text.slice(0, 200)}`, { hint: 'Check the model name and the API key.' });
        const msg = json.choices?.[0]?.message;
        if (!msg) throw new GenAutoMLError('llm.bad_response', 'The LLM answered without a message.', { hint: 'Check that the endpoint speaks the OpenAI chat-completions API.' });
        return { content: msg.content ?? null, toolCalls: (msg.tool_calls ?? []).filter((c) => c.type === 'function' || c.function !== undefined) };
      }
    },
  };
}

const backoff = (attempt: number): number => Math.min(500 * 2 ** attempt, 8000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
