/**
 * The chat-completions reply as we accept it. Replies are untrusted input: anything without a
 * string message content is a malformed reply, reported as such instead of crashing later.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../../errors.js';
import type { ChatMessage, ChatReply } from '../types.js';

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional(), reasoning: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullable()
    .optional(),
});

/** Request body fields shared by both providers. */
export interface CompletionBody {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  max_tokens: number;
}

export function parseCompletion(body: unknown, label: string, fallbackModel: string): ChatReply {
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) {
    throw new GenAutoMLError('llm.bad_reply', `${label} sent a reply that is not a chat completion`, {
      hint: 'The endpoint may not be OpenAI-compatible, or a proxy rewrote the reply.',
      details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  const choice = parsed.data.choices[0];
  const text = choice?.message.content ?? '';
  if (text.trim() === '') {
    throw new GenAutoMLError('llm.bad_reply', `${label} sent an empty reply${choice?.finish_reason ? ` (finish_reason ${choice.finish_reason})` : ''}`, {
      hint: 'The model produced no text; a reasoning model may need more max tokens, or try another model.',
    });
  }
  return {
    text,
    model: parsed.data.model ?? fallbackModel,
    usage: {
      promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data.usage?.completion_tokens ?? 0,
    },
  };
}

export function timeoutError(label: string, timeoutMs: number): GenAutoMLError {
  return new GenAutoMLError('llm.timeout', `${label} did not answer within ${timeoutMs} ms`, {
    hint: 'Raise GENAUTOML_LLM_TIMEOUT_MS, or use a faster model.',
    details: { timeoutMs },
  });
}
