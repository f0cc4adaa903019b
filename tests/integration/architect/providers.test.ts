/**
 * The provider contract of the one LLM client (engine/llm), over every preset (Groq, a plain
 * OpenAI-compatible endpoint) and through both of its consumers: the architect
 * (createArchitectProvider) and the chat bots (conversationLlm + askWithTools, exactly what
 * ChatCore calls). A local server speaks the real chat-completions wire format; no network.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { askWithTools, conversationLlm } from '../../../bots/chat/llm.js';
import { createArchitectProvider } from '../../../engine/architect/providers/index.js';
import { loadConfig } from '../../../engine/config.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import type { LlmConfig } from '../../../engine/llm/presets.js';
import type { LlmToolCall, LlmToolSpec } from '../../../engine/llm/types.js';
import { checkLlm } from '../../../engine/ops/doctor.js';
import { completion, startChatServer, type ChatServer, type ScriptedResponse } from '../../fixtures/architect/chat-server.js';

const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 5_000 };
const messages = [
  { role: 'system' as const, content: 'You are a neural architect.' },
  { role: 'user' as const, content: 'Design request: a tiny linear model' },
];
const TOOLS: LlmToolSpec[] = [{ type: 'function', function: { name: 'list_datasets', description: 'Lists datasets.', parameters: { type: 'object', properties: {} } } }];

interface Preset {
  name: 'groq' | 'openai';
  /** The path requests must reach on the server. */
  path: string;
  keyVariable: string;
  modelVariable: string;
  config(url: string, o?: { apiKey?: string | null; timeoutMs?: number; maxRetries?: number }): LlmConfig;
}

const PRESETS: Preset[] = [
  {
    name: 'groq',
    path: '/openai/v1/chat/completions',
    keyVariable: 'GROQ_API_KEY',
    modelVariable: 'GENAUTOML_GROQ_MODEL',
    config: (url, o = {}) => ({
      ...loadConfig({ GROQ_API_KEY: o.apiKey ?? 'gsk_test', GENAUTOML_GROQ_MODEL: 'llama-test', GENAUTOML_GROQ_BASE_URL: url, GENAUTOML_LLM_MAX_RETRIES: String(o.maxRetries ?? 2) }),
      llmTimeoutMs: o.timeoutMs ?? 5_000,
    }),
  },
  {
    name: 'openai',
    path: '/v1/chat/completions',
    keyVariable: 'GENAUTOML_LLM_API_KEY',
    modelVariable: 'GENAUTOML_LLM_MODEL',
    config: (url, o = {}) => ({
      ...loadConfig({
        GENAUTOML_LLM_BASE_URL: `${url}/v1`,
        GENAUTOML_LLM_MODEL: 'llama-test',
        ...(o.apiKey === null ? {} : { GENAUTOML_LLM_API_KEY: o.apiKey ?? 'sk-test' }),
        GENAUTOML_LLM_MAX_RETRIES: String(o.maxRetries ?? 2),
      }),
      llmTimeoutMs: o.timeoutMs ?? 5_000,
    }),
  },
];

interface Answer {
  text: string | null;
  toolCalls: LlmToolCall[];
  model: string;
  usage: { promptTokens: number; completionTokens: number };
}

interface Consumer {
  name: string;
  ask(config: LlmConfig, signal?: AbortSignal): Promise<Answer>;
  /** What its request body must hold. */
  body: Record<string, unknown>;
}

const CONSUMERS: Consumer[] = [
  {
    name: 'architect',
    async ask(config, signal) {
      const reply = await createArchitectProvider(config, { retry: FAST_RETRY }).chat(messages, signal ? { signal } : {});
      return { text: reply.text, toolCalls: [], model: reply.model, usage: reply.usage };
    },
    body: { model: 'llama-test', messages, temperature: 0.3, max_tokens: 4096 },
  },
  {
    name: 'chat bots',
    async ask(config, signal) {
      const llm = conversationLlm(config, { retry: FAST_RETRY });
      if (!llm) throw new Error('the bots found no LLM in the configuration');
      const reply = await askWithTools(llm, messages, TOOLS, signal);
      return { text: reply.content, toolCalls: reply.toolCalls, model: reply.model, usage: reply.usage };
    },
    body: { model: 'llama-test', messages, temperature: 0.2, tools: TOOLS, tool_choice: 'auto' },
  },
];

let server: ChatServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
async function serve(responses: ScriptedResponse[]): Promise<ChatServer> {
  server = await startChatServer(responses);
  return server;
}
async function failure(p: Promise<unknown>): Promise<GenAutoMLError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GenAutoMLError);
  return err as GenAutoMLError;
}

for (const p of PRESETS) {
  for (const c of CONSUMERS) {
    describe(`${p.name} preset, ${c.name}`, () => {
      it('sends a chat completion request and reads the reply and usage', async () => {
        const s = await serve([{ body: completion('```python\nclass Model: pass\n```', 'llama-test-0409') }]);
        const reply = await c.ask(p.config(s.url));
        expect(reply).toEqual({ text: '```python\nclass Model: pass\n```', toolCalls: [], model: 'llama-test-0409', usage: { promptTokens: 123, completionTokens: 45 } });
        expect(s.requests).toHaveLength(1);
        const req = s.requests[0];
        expect(req?.method).toBe('POST');
        expect(req?.path).toBe(p.path);
        expect(req?.headers.authorization).toBe(p.name === 'groq' ? 'Bearer gsk_test' : 'Bearer sk-test');
        expect(req?.headers['content-type']).toMatch(/^application\/json/);
        expect(req?.body).toMatchObject(c.body);
        expect((req?.body as { stream?: boolean }).stream ?? false).toBe(false);
      });

      it('waits as Retry-After says on 429, then succeeds', async () => {
        const s = await serve([
          { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' } } },
          { body: completion('ok') },
        ]);
        const t0 = Date.now();
        const reply = await c.ask(p.config(s.url));
        expect(reply.text).toBe('ok');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
        expect(s.requests).toHaveLength(2);
      });

      it('retries 500s with backoff and then fails clearly', async () => {
        const s = await serve([500, 502, 503].map((status) => ({ status, body: { error: { message: 'upstream exploded' } } })));
        const err = await failure(c.ask(p.config(s.url, { maxRetries: 2 })));
        expect(err.code).toBe('llm.unavailable');
        expect(err.message).toContain('HTTP 503');
        expect(err.message).toContain('upstream exploded');
        expect(err.message).toContain('after 3 attempts');
        expect(s.requests).toHaveLength(3);
      });

      it('rejects a malformed reply without retrying', async () => {
        const s = await serve([{ body: { id: 'x', object: 'chat.completion', choices: [] } }]);
        const err = await failure(c.ask(p.config(s.url)));
        expect(err.code).toBe('llm.bad_reply');
        expect(s.requests).toHaveLength(1);
      });

      it('rejects a reply that is not JSON', async () => {
        const s = await serve([{ body: '<html>proxy error page</html>', headers: { 'content-type': 'text/html' } }]);
        const err = await failure(c.ask(p.config(s.url)));
        expect(err.code).toBe('llm.bad_reply');
      });

      it('rejects a truncated JSON reply', async () => {
        const s = await serve([{ body: '{"choices": [{"message": {"content": "cla', headers: { 'content-type': 'application/json' } }]);
        const err = await failure(c.ask(p.config(s.url)));
        expect(err.code).toBe('llm.bad_reply');
      });

      it('times out a slow endpoint', async () => {
        const s = await serve([{ body: completion('late'), delayMs: 3_000 }]);
        const t0 = Date.now();
        const err = await failure(c.ask(p.config(s.url, { timeoutMs: 300, maxRetries: 0 })));
        expect(err.code).toBe('llm.timeout');
        expect(err.message).toContain('300 ms');
        expect(Date.now() - t0).toBeLessThan(2_500);
      });

      it('reports an invalid key (401)', async () => {
        const s = await serve([{ status: 401, body: { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } } }]);
        const err = await failure(c.ask(p.config(s.url)));
        expect(err.code).toBe('llm.invalid_key');
        expect(err.hint).toContain(p.keyVariable);
        expect(s.requests).toHaveLength(1);
      });

      it('reports an unknown model (404 model_not_found)', async () => {
        const s = await serve([
          {
            status: 404,
            body: { error: { message: 'The model `llama-test` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' } },
          },
        ]);
        const err = await failure(c.ask(p.config(s.url)));
        expect(err.code).toBe('llm.unknown_model');
        expect(err.message).toContain('"llama-test"');
        expect(err.hint).toContain(p.modelVariable);
      });

      it('stops waiting when the caller aborts', async () => {
        const s = await serve([{ status: 429, headers: { 'retry-after': '3' }, body: {} }]);
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 200);
        const err = await failure(c.ask(p.config(s.url, { maxRetries: 3 }), controller.signal));
        // The architect names it as the design being cancelled; the bare client as the request.
        expect(err.code).toBe(c.name === 'architect' ? 'architect.cancelled' : 'llm.cancelled');
      });

      it('fails at once when Retry-After asks for longer than the longest allowed wait', async () => {
        const s = await serve([{ status: 429, headers: { 'retry-after': '600' }, body: { error: { message: 'daily token limit' } } }]);
        const err = await failure(c.ask(p.config(s.url)));
        expect(err.code).toBe('llm.rate_limited');
        expect(err.message).toContain('asks to wait 600 s');
        expect(s.requests).toHaveLength(1);
      });
    });
  }

  describe(`${p.name} preset, tool calls`, () => {
    it('hands the tool calls of a reply to the bots, and the architect refuses an answer without text', async () => {
      const toolReply = {
        id: 'c',
        object: 'chat.completion',
        model: 'llama-test',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_datasets', arguments: '{}' } }] } }],
      };
      const s = await serve([{ body: toolReply }, { body: toolReply }]);
      const bots = await CONSUMERS[1]!.ask(p.config(s.url));
      expect(bots.text).toBeNull();
      expect(bots.toolCalls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'list_datasets', arguments: '{}' } }]);
      const err = await failure(CONSUMERS[0]!.ask(p.config(s.url)));
      expect(err.code).toBe('llm.bad_reply');
      expect(err.message).toContain('finish_reason tool_calls');
    });
  });
}

describe('GENAUTOML_GROQ_BASE_URL', () => {
  // Regression: the chat bots once read it as the /openai/v1 root while the architect and doctor
  // read it as Groq's host root, so a Groq proxy worked for one and broke the other.
  it('means the same host root to the architect, the chat bots and doctor', async () => {
    const s = await serve([{ body: completion('a') }, { body: completion('b') }, { status: 200, body: { data: [{ id: 'llama-test' }] } }]);
    const config = PRESETS[0]!.config(s.url);
    for (const c of CONSUMERS) await c.ask(config);
    const check = await checkLlm(config, { fetch: globalThis.fetch, timeoutMs: 5_000, quick: false });
    expect(check.status).toBe('ok');
    expect(s.requests.map((r) => r.path)).toEqual(['/openai/v1/chat/completions', '/openai/v1/chat/completions', '/openai/v1/models']);
  });

  it('defaults to Groq itself', () => {
    const config = loadConfig({ GROQ_API_KEY: 'gsk' });
    expect(conversationLlm(config)).toMatchObject({ kind: 'groq', model: 'llama-3.3-70b-versatile' });
    expect(createArchitectProvider(config)).toMatchObject({ kind: 'groq' });
  });
});

describe('missing keys', () => {
  it('refuses Groq without a key', () => {
    const config = { ...loadConfig({}), llmProvider: 'groq' as const };
    expect(() => createArchitectProvider(config)).toThrow(expect.objectContaining({ code: 'llm.missing_key' }));
    expect(() => conversationLlm(config)).toThrow(expect.objectContaining({ code: 'llm.missing_key' }));
  });

  it('says a key is missing when an OpenAI-compatible endpoint answers 401 to a request without one', async () => {
    const s = await serve([{ status: 401, body: { error: { message: 'Missing bearer token' } } }]);
    const err = await failure(CONSUMERS[0]!.ask(PRESETS[1]!.config(s.url, { apiKey: null })));
    expect(err.code).toBe('llm.missing_key');
    expect(s.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('createArchitectProvider', () => {
  it('uses the offline architect when no LLM is configured, and says why', () => {
    const p = createArchitectProvider(loadConfig({}));
    expect(p).toMatchObject({ kind: 'offline', reason: 'no LLM configured' });
    expect(createArchitectProvider(loadConfig({ GENAUTOML_LLM_PROVIDER: 'offline', GROQ_API_KEY: 'k' }))).toMatchObject({ reason: expect.stringContaining('GENAUTOML_LLM_PROVIDER=offline') });
    expect(conversationLlm(loadConfig({}))).toBeNull();
  });

  it('uses Groq when a key is set and an OpenAI-compatible endpoint when a base URL is', () => {
    expect(createArchitectProvider(loadConfig({ GROQ_API_KEY: 'gsk' }))).toMatchObject({ kind: 'groq', model: 'llama-3.3-70b-versatile' });
    expect(createArchitectProvider(loadConfig({ GENAUTOML_LLM_BASE_URL: 'http://localhost:11434/v1', GENAUTOML_LLM_MODEL: 'qwen2.5-coder' }))).toMatchObject({ kind: 'openai', model: 'qwen2.5-coder' });
  });

  it('accepts the full chat-completions URL as the base', async () => {
    const s = await serve([{ body: completion('hello') }]);
    const p = createArchitectProvider(loadConfig({ GENAUTOML_LLM_BASE_URL: `${s.url}/v1/chat/completions/`, GENAUTOML_LLM_MODEL: 'm' }));
    expect((await p.chat(messages)).text).toBe('hello');
    expect(s.requests[0]?.path).toBe('/v1/chat/completions');
  });
});
