/**
 * The chat-completions reply as we accept it. Replies are untrusted input: anything that is not
 * a completion with a message is a malformed reply, reported as such instead of crashing later.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../errors.js';
import type { LlmReply, LlmRequest } from './types.js';

const toolCallSchema = z.object({
  id: z.string(),
  // Some OpenAI-compatible servers omit the type; only function calls exist today.
  type: z.string().optional(),
  function: z.object({ name: z.string(), arguments: z.string().nullable().optional() }),
});

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z.array(toolCallSchema).nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullable()
    .optional(),
});

/** The request body on the wire. */
export function completionBody(model: string, request: LlmRequest): Record<string, unknown> {
  return {
    model,
    messages: request.messages,
    temperature: request.temperature,
    ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
    ...(request.tools?.length ? { tools: request.tools, tool_choice: 'auto' } : {}),
    stream: false,
  };
}

export function parseCompletion(body: unknown, label: string, fallbackModel: string): LlmReply {
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) {
    throw new GenAutoMLError('llm.bad_reply', `${label} sent a reply that is not a chat completion`, {
      hint: 'The endpoint may not be OpenAI-compatible, or a proxy rewrote the reply.',
      details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  const choice = parsed.data.choices[0];
  const calls = (choice?.message.tool_calls ?? []).filter((c) => c.type === undefined || c.type === 'function');
  return {
    content: choice?.message.content ?? null,
    toolCalls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments ?? '' } })),
    model: parsed.data.model ?? fallbackModel,
    usage: {
      promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data.usage?.completion_tokens ?? 0,
    },
    finishReason: choice?.finish_reason ?? null,
  };
}

export function timeoutError(label: string, timeoutMs: number): GenAutoMLError {
  return new GenAutoMLError('llm.timeout', `${label} did not answer within ${timeoutMs} ms`, {
    hint: 'Raise GENAUTOML_LLM_TIMEOUT_MS, or use a faster model.',
    details: { timeoutMs },
  });
}
