/**
 * The conversation: a scripted LLM (a local server speaking the OpenAI chat-completions wire
 * format) asks for tool calls, the core runs them against a real app, and the final answer comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatCore, type ChatRequest } from '../../../bots/chat/core.js';
import type { BotReply } from '../../../bots/chat/render.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';

interface WireRequest {
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[];
  tools: { type: string; function: { name: string; parameters: { properties?: Record<string, unknown> } } }[];
}

describe('conversation with a tool-calling LLM', () => {
  let t: TestApp;
  let llm: TestServer;
  let dataset: string;
  const bodies: WireRequest[] = [];

  beforeAll(async () => {
    llm = await startTestServer((req, res) => {
      const body = JSON.parse(req.body.toString()) as WireRequest;
      bodies.push(body);
      const last = body.messages.at(-1)!;
      res.setHeader('content-type', 'application/json');
      const message =
        last.role === 'user'
          ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_datasets', arguments: '{}' } }] }
          : { role: 'assistant', content: `You have one dataset: ${(JSON.parse(last.content ?? '{}') as { data: { datasets: { id: string }[] } }).data.datasets[0]?.id}.` };
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', model: body.model, choices: [{ index: 0, message, finish_reason: last.role === 'user' ? 'tool_calls' : 'stop' }] }));
    });
    t = await createTestApp({ env: { GENAUTOML_LLM_BASE_URL: `${llm.url}/v1`, GENAUTOML_LLM_MODEL: 'scripted', GENAUTOML_LLM_API_KEY: 'k' } });
    dataset = await loadSynthetic(t.app, { rows: 200, features: 2 });
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    await llm?.close();
  });

  it('calls list_datasets for real and answers with the result, keeping thread history', async () => {
    const core = new ChatCore(t.app);
    expect(core.llm?.model).toBe('scripted');
    const replies: BotReply[] = [];
    const target = { progress: async (r: BotReply) => void replies.push(r), final: async (r: BotReply) => void replies.push(r) };
    const req: ChatRequest = { platform: 'slack', workspace: 'T1', channel: 'C1', thread: '1.1', user: 'U1', text: 'which datasets do I have?' };
    await core.handle(req, target);
    expect(replies.at(-1)!.message.text).toBe(`You have one dataset: ${dataset}.`);
    expect(replies.at(-1)!.message.footer).toContain('list_datasets');
    expect(llm.requests[0]!.url).toBe('/v1/chat/completions');
    expect(llm.requests[0]!.headers.authorization).toBe('Bearer k');
    const first = bodies[0]!;
    expect(first.tools.map((x) => x.function.name)).toContain('search');
    expect(first.tools.find((x) => x.function.name === 'export_model')!.function.parameters.properties).not.toHaveProperty('out');
    expect(bodies[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });

    await core.handle({ ...req, text: 'and now?' }, target);
    const third = bodies[2]!;
    expect(third.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });
});
