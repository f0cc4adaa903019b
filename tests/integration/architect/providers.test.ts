/**
 * Groq (through groq-sdk) and OpenAI-compatible providers against a local server speaking the real
 * chat-completions wire format: the same behaviours are asserted for both, since they share one
 * retry policy and one error mapping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GroqProvider } from '../../../engine/architect/providers/groq.js';
import { createArchitectProvider, type ArchitectConfig } from '../../../engine/architect/providers/index.js';
import { OpenAICompatibleProvider } from '../../../engine/architect/providers/openai.js';
import type { ChatProvider } from '../../../engine/architect/types.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import { completion, startChatServer, type ChatServer, type ScriptedResponse } from '../../fixtures/architect/chat-server.js';

const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 5_000 };
const messages = [
  { role: 'system' as const, content: 'You are a neural architect.' },
  { role: 'user' as const, content: 'Design request: a tiny linear model' },
];

interface Flavour {
  name: string;
  path: string;
  make(url: string, opts?: { apiKey?: string; timeoutMs?: number; maxRetries?: number }): ChatProvider;
}

const FLAVOURS: Flavour[] = [
  {
    name: 'groq',
    path: '/openai/v1/chat/completions',
    make: (url, o = {}) =>
      new GroqProvider({ apiKey: o.apiKey ?? 'gsk_test', model: 'llama-test', baseUrl: url, timeoutMs: o.timeoutMs ?? 5_000, retry: { ...FAST_RETRY, maxRetries: o.maxRetries ?? 2 } }),
  },
  {
    name: 'openai-compatible',
    path: '/v1/chat/completions',
    make: (url, o = {}) =>
      new OpenAICompatibleProvider({
        baseUrl: `${url}/v1`,
        model: 'llama-test',
        ...('apiKey' in o ? (o.apiKey ? { apiKey: o.apiKey } : {}) : { apiKey: 'sk-test' }),
        timeoutMs: o.timeoutMs ?? 5_000,
        retry: { ...FAST_RETRY, maxRetries: o.maxRetries ?? 2 },
      }),
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

for (const f of FLAVOURS) {
  describe(`${f.name} provider`, () => {
    it('sends a chat completion request and reads the reply and usage', async () => {
      const s = await serve([{ body: completion('```python\nclass Model: pass\n```', 'llama-test-0409') }]);
      const reply = await f.make(s.url).chat(messages);
      expect(reply).toEqual({ text: '```python\nclass Model: pass\n```', model: 'llama-test-0409', usage: { promptTokens: 123, completionTokens: 45 } });
      expect(s.requests).toHaveLength(1);
      const req = s.requests[0];
      expect(req?.method).toBe('POST');
      expect(req?.path).toBe(f.path);
      expect(req?.headers.authorization).toBe(f.name === 'groq' ? 'Bearer gsk_test' : 'Bearer sk-test');
      expect(req?.headers['content-type']).toMatch(/^application\/json/);
      expect(req?.body).toMatchObject({ model: 'llama-test', messages, temperature: 0.3, max_tokens: 4096 });
      expect((req?.body as { stream?: boolean }).stream ?? false).toBe(false);
    });

    it('waits as Retry-After says on 429, then succeeds', async () => {
      const s = await serve([
        { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' } } },
        { body: completion('ok') },
      ]);
      const t0 = Date.now();
      const reply = await f.make(s.url).chat(messages);
      expect(reply.text).toBe('ok');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(s.requests).toHaveLength(2);
    });

    it('retries 500s with backoff and then fails clearly', async () => {
      const s = await serve([500, 502, 503].map((status) => ({ status, body: { error: { message: 'upstream exploded' } } })));
      const err = await failure(f.make(s.url, { maxRetries: 2 }).chat(messages));
      expect(err.code).toBe('llm.unavailable');
      expect(err.message).toContain('HTTP 503');
      expect(err.message).toContain('upstream exploded');
      expect(err.message).toContain('after 3 attempts');
      expect(s.requests).toHaveLength(3);
    });

    it('rejects a malformed reply without retrying', async () => {
      const s = await serve([{ body: { id: 'x', object: 'chat.completion', choices: [] } }]);
      const err = await failure(f.make(s.url).chat(messages));
      expect(err.code).toBe('llm.bad_reply');
      expect(s.requests).toHaveLength(1);
    });

    it('rejects a reply that is not JSON', async () => {
      const s = await serve([{ body: '<html>proxy error page</html>', headers: { 'content-type': 'text/html' } }]);
      const err = await failure(f.make(s.url).chat(messages));
      expect(err.code).toBe('llm.bad_reply');
    });

    it('rejects a truncated JSON reply', async () => {
      const s = await serve([{ body: '{"choices": [{"message": {"content": "cla', headers: { 'content-type': 'application/json' } }]);
      const err = await failure(f.make(s.url).chat(messages));
      expect(err.code).toBe('llm.bad_reply');
    });

    it('times out a slow endpoint', async () => {
      const s = await serve([{ body: completion('late'), delayMs: 3_000 }]);
      const t0 = Date.now();
      const err = await failure(f.make(s.url, { timeoutMs: 300, maxRetries: 0 }).chat(messages));
      expect(err.code).toBe('llm.timeout');
      expect(err.message).toContain('300 ms');
      expect(Date.now() - t0).toBeLessThan(2_500);
    });

    it('reports an invalid key (401)', async () => {
      const s = await serve([{ status: 401, body: { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } } }]);
      const err = await failure(f.make(s.url).chat(messages));
      expect(err.code).toBe('llm.invalid_key');
      expect(err.hint).toContain(f.name === 'groq' ? 'GROQ_API_KEY' : 'GENAUTOML_LLM_API_KEY');
      expect(s.requests).toHaveLength(1);
    });

    it('reports an unknown model (404 model_not_found)', async () => {
      const s = await serve([
        {
          status: 404,
          body: { error: { message: 'The model `llama-test` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' } },
        },
      ]);
      const err = await failure(f.make(s.url).chat(messages));
      expect(err.code).toBe('llm.unknown_model');
      expect(err.message).toContain('"llama-test"');
      expect(err.hint).toContain(f.name === 'groq' ? 'GENAUTOML_GROQ_MODEL' : 'GENAUTOML_LLM_MODEL');
    });

    it('stops waiting when the caller aborts', async () => {
      const s = await serve([{ status: 429, headers: { 'retry-after': '3' }, body: {} }]);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const err = await failure(f.make(s.url, { maxRetries: 3 }).chat(messages, { signal: controller.signal }));
      expect(err.code).toBe('architect.cancelled');
    });

    it('fails at once when Retry-After asks for longer than the longest allowed wait', async () => {
      const s = await serve([{ status: 429, headers: { 'retry-after': '600' }, body: { error: { message: 'daily token limit' } } }]);
      const err = await failure(f.make(s.url).chat(messages));
      expect(err.code).toBe('llm.rate_limited');
      expect(err.message).toContain('asks to wait 600 s');
      expect(s.requests).toHaveLength(1);
    });
  });
}

describe('missing keys', () => {
  it('refuses to build a Groq provider without a key', () => {
    expect(() => new GroqProvider({ apiKey: undefined, model: 'm' })).toThrow(expect.objectContaining({ code: 'llm.missing_key' }));
  });

  it('says a key is missing when an OpenAI-compatible endpoint answers 401 to a request without one', async () => {
    const s = await serve([{ status: 401, body: { error: { message: 'Missing bearer token' } } }]);
    const err = await failure(FLAVOURS[1]!.make(s.url, { apiKey: '' }).chat(messages));
    expect(err.code).toBe('llm.missing_key');
    expect(s.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('createArchitectProvider', () => {
  const base: ArchitectConfig = {
    llmProvider: 'auto',
    groqApiKey: undefined,
    groqModel: 'llama-3.3-70b-versatile',
    groqBaseUrl: undefined,
    llmBaseUrl: undefined,
    llmApiKey: undefined,
    llmModel: undefined,
    llmTimeoutMs: 120_000,
    llmMaxRetries: 4,
  };

  it('uses the offline architect when no LLM is configured, and says why', () => {
    const p = createArchitectProvider(base);
    expect(p.kind).toBe('offline');
    expect((p as unknown as { reason: string }).reason).toBe('no LLM configured');
    expect((createArchitectProvider({ ...base, llmProvider: 'offline', groqApiKey: 'k' }) as unknown as { reason: string }).reason).toContain('GENAUTOML_LLM_PROVIDER=offline');
  });

  it('uses Groq when a key is set and an OpenAI-compatible endpoint when a base URL is', () => {
    expect(createArchitectProvider({ ...base, groqApiKey: 'gsk' })).toMatchObject({ kind: 'groq', model: 'llama-3.3-70b-versatile' });
    expect(createArchitectProvider({ ...base, llmBaseUrl: 'http://localhost:11434/v1', llmModel: 'qwen2.5-coder' })).toMatchObject({ kind: 'openai', model: 'qwen2.5-coder' });
  });

  it('talks to the configured Groq base URL', async () => {
    const s = await serve([{ body: completion('hello') }]);
    const p = createArchitectProvider({ ...base, groqApiKey: 'gsk_cfg', groqBaseUrl: s.url });
    expect((await p.chat(messages)).text).toBe('hello');
    expect(s.requests[0]?.headers.authorization).toBe('Bearer gsk_cfg');
    expect(s.requests[0]?.body).toMatchObject({ model: 'llama-3.3-70b-versatile' });
  });
});
