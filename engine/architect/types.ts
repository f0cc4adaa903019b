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
  /** Present in an architect round of a study. */
  evolution?: EvolutionBrief;
}

/** One architecture on the leaderboard of a running study, as the architect is told about it. */
export interface EvolutionEntry {
  arch: string;
  /** baseline, generated or user. */
  kind: string;
  /** Best validation loss of a complete trial; null when none completed. */
  bestValLoss: number | null;
  params: number | null;
  epochs: number | null;
  /** Forward latency at batch 1 from its validation, when known. */
  latencyMs: number | null;
  complete: number;
  pruned: number;
  failed: number;
  /** Distinct failure messages, first line each. */
  errors: string[];
  /** Source of the best few only. */
  code?: string;
}

/**
 * What an architect round knows, in structured form: the leaderboard so far and which proposal of
 * the round this is. LLMs read the same facts as text in the request; the offline architect reads this.
 */
export interface EvolutionBrief {
  round: number;
  /** 0-based proposal number within the round (proposals of one round should differ). */
  index: number;
  /** Ranked by best validation loss, then the architectures without a complete trial. */
  leaderboard: EvolutionEntry[];
  /** The user's steering request, if any (the LLM request text is the whole brief). */
  steering: string | null;
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
