/**
 * Shared shapes of the neural architect: chat messages, the provider seam, and the structured
 * design brief. Kept apart from the implementations so that tests, the loop and the offline
 * architect depend on the contract, never on one another.
 */
import type { ModelDims, ValidationReport } from '../runner/types.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatReply {
  text: string;
  usage: TokenUsage;
  /** The model that answered, as the endpoint reports it (it may differ from the one asked). */
  model: string;
  /** Plain-language reasons for the design, when the provider can give them (the offline architect does). */
  explanation?: string;
}

/** Facts from run_eda the offline architect uses directly; LLMs get them as text (edaContext). */
export interface EdaFacts {
  /** Dominant periods, in time steps, strongest first. */
  periods?: number[];
  stationary?: boolean;
  /** Free words such as "high", "bursty"; only passed through. */
  volatility?: string;
}

export interface ArchitectConstraints {
  paramBudget?: number;
  latencyMsBudget?: number;
  /** Layers or modules the user does not want (e.g. "LSTM", "attention"). */
  forbidden?: string[];
}

/**
 * Everything the loop knows about the design task, in structured form. LLM providers ignore it
 * (they read the prompt); the offline architect reads it instead of parsing our own prompt back.
 */
export interface DesignBrief {
  request: string;
  dims: ModelDims;
  edaFacts?: EdaFacts;
  constraints: ArchitectConstraints;
  /** 1-based iteration the reply is for. */
  iteration: number;
  /** The validation report of the previous attempt, when this is a repair. */
  previousReport?: ValidationReport;
  previousCode?: string;
}

export interface ChatOptions {
  signal?: AbortSignal;
  brief?: DesignBrief;
}

/**
 * One chat-completion backend. `kind` names the backend for logs and results; `model` is the
 * model configured (the reply says which one actually answered).
 */
export interface ChatProvider {
  readonly kind: 'groq' | 'openai' | 'offline' | 'scripted';
  readonly model: string;
  chat(messages: ChatMessage[], options?: ChatOptions): Promise<ChatReply>;
}
