/**
 * The conversation's LLM: the engine's one client (engine/llm) on the configured endpoint, asked
 * with the registry's tools. Nothing here speaks HTTP; the bots only choose how they ask.
 */
import { createLlmClient, type LlmClientOptions } from '../../engine/llm/client.js';
import { llmEndpoint, type LlmConfig } from '../../engine/llm/presets.js';
import type { LlmClient, LlmMessage, LlmReply, LlmToolSpec } from '../../engine/llm/types.js';

/** Low: the conversation picks tools and arguments, where steadiness beats variety. */
const CONVERSATION_TEMPERATURE = 0.2;

/** The configured client, or null when no LLM is configured (conversation off). */
export function conversationLlm(config: LlmConfig, options: LlmClientOptions = {}): LlmClient | null {
  const endpoint = llmEndpoint(config);
  return endpoint ? createLlmClient(endpoint, options) : null;
}

/** One round of the conversation: the model answers in text or asks for tool calls. */
export function askWithTools(llm: LlmClient, messages: readonly LlmMessage[], tools: readonly LlmToolSpec[], signal?: AbortSignal): Promise<LlmReply> {
  return llm.complete({ messages, tools, temperature: CONVERSATION_TEMPERATURE, ...(signal ? { signal } : {}) });
}
