/**
 * A provider that plays back a queue of replies and records what it was sent: tests drive the
 * reflection loop with exact, reproducible LLM behaviour through it.
 */
import { GenAutoMLError } from '../../errors.js';
import type { ChatMessage, ChatOptions, ChatProvider, ChatReply } from '../types.js';

export type ScriptedReply = string | Partial<ChatReply> | Error | ((messages: ChatMessage[], options: ChatOptions) => string | Partial<ChatReply>);

export class ScriptedProvider implements ChatProvider {
  readonly kind = 'scripted' as const;
  readonly model: string;
  /** Every call's messages (copied) and options, in order. */
  readonly calls: { messages: ChatMessage[]; options: ChatOptions }[] = [];
  private readonly queue: ScriptedReply[];

  constructor(replies: ScriptedReply[], model = 'scripted') {
    this.queue = [...replies];
    this.model = model;
  }

  get remaining(): number {
    return this.queue.length;
  }

  async chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatReply> {
    this.calls.push({ messages: messages.map((m) => ({ ...m })), options });
    const next = this.queue.shift();
    if (next === undefined) {
      throw new GenAutoMLError('llm.bad_reply', `The scripted provider ran out of replies after ${this.calls.length - 1}`, {
        hint: 'The test script has fewer replies than the loop asked for.',
      });
    }
    if (next instanceof Error) throw next;
    const value = typeof next === 'function' ? next(messages, options) : next;
    const reply = typeof value === 'string' ? { text: value } : value;
    const text = reply.text ?? '';
    return {
      text,
      model: reply.model ?? this.model,
      // Rough count so logs and token totals have something plausible to show.
      usage: reply.usage ?? { promptTokens: Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4), completionTokens: Math.ceil(text.length / 4) },
      ...(reply.explanation === undefined ? {} : { explanation: reply.explanation }),
    };
  }
}
