/**
 * The architect over the one LLM client (engine/llm): a plain completion whose text must hold
 * the design. An empty answer is a bad reply here (the chat bots accept tool calls instead), and
 * a cancelled request is the design being cancelled.
 */
import { GenAutoMLError, isGenAutoMLError } from '../../errors.js';
import type { LlmClient } from '../../llm/types.js';
import { designCancelled } from '../cancelled.js';
import type { ChatMessage, ChatOptions, ChatProvider, ChatReply } from '../types.js';

const TEMPERATURE = 0.3;
const MAX_TOKENS = 4096;

export class LlmArchitect implements ChatProvider {
  readonly kind: 'groq' | 'openai';
  readonly model: string;

  constructor(private readonly client: LlmClient) {
    this.kind = client.kind;
    this.model = client.model;
  }

  async chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatReply> {
    let reply;
    try {
      reply = await this.client.complete({ messages, temperature: TEMPERATURE, maxTokens: MAX_TOKENS, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (err) {
      if (isGenAutoMLError(err) && err.code === 'llm.cancelled') {
        throw designCancelled(err);
      }
      throw err;
    }
    const text = reply.content ?? '';
    if (text.trim() === '') {
      throw new GenAutoMLError('llm.bad_reply', `The ${this.kind === 'groq' ? 'Groq' : 'LLM'} endpoint sent an empty reply${reply.finishReason ? ` (finish_reason ${reply.finishReason})` : ''}`, {
        hint: 'The model produced no text; a reasoning model may need more max tokens, or try another model.',
      });
    }
    return { text, model: reply.model, usage: reply.usage };
  }
}
