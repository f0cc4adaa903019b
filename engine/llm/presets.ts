/**
 * Where the LLM is, from the configuration: Groq is a preset of the OpenAI-compatible endpoint
 * (its API root, the key and model variables it is configured by), not a client of its own.
 * GENAUTOML_GROQ_BASE_URL is Groq's host root, as groq-sdk's GROQ_BASE_URL is: the API lies
 * under `/openai/v1` there, for the architect, the chat bots and doctor alike.
 */
import { resolveLlmProvider, type Config } from '../config.js';
import { GenAutoMLError } from '../errors.js';

export const GROQ_DEFAULT_BASE_URL = 'https://api.groq.com';

export type LlmConfig = Pick<
  Config,
  'llmProvider' | 'groqApiKey' | 'groqModel' | 'groqBaseUrl' | 'llmBaseUrl' | 'llmApiKey' | 'llmModel' | 'llmTimeoutMs' | 'llmMaxRetries'
>;

export interface LlmEndpoint {
  kind: 'groq' | 'openai';
  /** The API root requests are made under (`…/v1`): `/chat/completions`, `/models`. */
  apiBase: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  /** The variables that configure it, named in hints. */
  keyVariable: string;
  modelVariable: string;
  baseUrlVariable: string;
}

const trimSlashes = (url: string): string => url.replace(/\/+$/, '');

/** Groq's OpenAI-compatible API root under a host root (the default one, or a proxy). */
export function groqApiBase(baseUrl: string | undefined): string {
  return `${trimSlashes(baseUrl ?? GROQ_DEFAULT_BASE_URL)}/openai/v1`;
}

/** Users paste either the `/v1` root or the full chat-completions URL; both mean the same root. */
export function openAiApiBase(baseUrl: string): string {
  return trimSlashes(baseUrl).replace(/\/chat\/completions$/, '');
}

/**
 * The configured endpoint, or undefined when the offline architect is chosen (no LLM). A provider
 * chosen explicitly but missing its settings is an error (loadConfig already refuses it).
 */
export function llmEndpoint(config: LlmConfig): LlmEndpoint | undefined {
  const which = resolveLlmProvider(config);
  const common = { timeoutMs: config.llmTimeoutMs, maxRetries: config.llmMaxRetries };
  switch (which) {
    case 'offline':
      return undefined;
    case 'groq':
      if (!config.groqApiKey) {
        throw new GenAutoMLError('llm.missing_key', 'Groq needs an API key and GROQ_API_KEY is not set', {
          hint: 'Set GROQ_API_KEY (console.groq.com/keys), or unset GENAUTOML_LLM_PROVIDER to use the offline architect.',
        });
      }
      return {
        kind: 'groq',
        apiBase: groqApiBase(config.groqBaseUrl),
        apiKey: config.groqApiKey,
        model: config.groqModel,
        ...common,
        keyVariable: 'GROQ_API_KEY',
        modelVariable: 'GENAUTOML_GROQ_MODEL',
        baseUrlVariable: 'GENAUTOML_GROQ_BASE_URL',
      };
    case 'openai':
      if (!config.llmBaseUrl || !config.llmModel) {
        throw new GenAutoMLError('llm.not_configured', 'The OpenAI-compatible provider needs a base URL and a model', {
          hint: 'Set GENAUTOML_LLM_BASE_URL and GENAUTOML_LLM_MODEL.',
        });
      }
      return {
        kind: 'openai',
        apiBase: openAiApiBase(config.llmBaseUrl),
        ...(config.llmApiKey ? { apiKey: config.llmApiKey } : {}),
        model: config.llmModel,
        ...common,
        keyVariable: 'GENAUTOML_LLM_API_KEY',
        modelVariable: 'GENAUTOML_LLM_MODEL',
        baseUrlVariable: 'GENAUTOML_LLM_BASE_URL',
      };
  }
}
