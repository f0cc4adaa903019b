/**
 * The one LLM seam: OpenAI chat-completions messages (tool calls included), a request, and the
 * reply as the client hands it on. The architect and the chat bots both speak through it.
 */

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

export interface LlmRequest {
  messages: readonly LlmMessage[];
  /** Offered with `tool_choice: auto`; none means a plain completion. */
  tools?: readonly LlmToolSpec[];
  temperature: number;
  /** Left to the server when absent. */
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface LlmReply {
  /** Null when the model answered only with tool calls. */
  content: string | null;
  toolCalls: LlmToolCall[];
  /** The model that answered, as the endpoint reports it (it may differ from the one asked). */
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  finishReason: string | null;
}

export interface LlmClient {
  /** Which preset built it, for logs and results. */
  readonly kind: 'groq' | 'openai';
  /** The model configured. */
  readonly model: string;
  complete(request: LlmRequest): Promise<LlmReply>;
}
