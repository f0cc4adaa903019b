/**
 * Chooses the architect from the configuration: Groq when GROQ_API_KEY is set, an
 * OpenAI-compatible endpoint when GENAUTOML_LLM_BASE_URL is, the offline template architect
 * otherwise (and it says why in every result).
 */
import { resolveLlmProvider, type Config } from '../../config.js';
import { GenAutoMLError } from '../../errors.js';
import { OfflineArchitect } from '../offline/architect.js';
import type { ChatProvider } from '../types.js';
import { GroqProvider } from './groq.js';
import { OpenAICompatibleProvider } from './openai.js';
import type { RetryPolicy } from './retry.js';

export type ArchitectConfig = Pick<
  Config,
  'llmProvider' | 'groqApiKey' | 'groqModel' | 'groqBaseUrl' | 'llmBaseUrl' | 'llmApiKey' | 'llmModel' | 'llmTimeoutMs' | 'llmMaxRetries'
>;

export function createArchitectProvider(config: ArchitectConfig, options: { retry?: Partial<RetryPolicy> } = {}): ChatProvider {
  const which = resolveLlmProvider(config as Config);
  const retry = { maxRetries: config.llmMaxRetries, ...options.retry };
  switch (which) {
    case 'groq':
      return new GroqProvider({
        apiKey: config.groqApiKey,
        model: config.groqModel,
        ...(config.groqBaseUrl ? { baseUrl: config.groqBaseUrl } : {}),
        timeoutMs: config.llmTimeoutMs,
        retry,
      });
    case 'openai':
      if (!config.llmBaseUrl || !config.llmModel) {
        throw new GenAutoMLError('llm.not_configured', 'The OpenAI-compatible provider needs a base URL and a model', {
          hint: 'Set GENAUTOML_LLM_BASE_URL and GENAUTOML_LLM_MODEL.',
        });
      }
      return new OpenAICompatibleProvider({
        baseUrl: config.llmBaseUrl,
        model: config.llmModel,
        ...(config.llmApiKey ? { apiKey: config.llmApiKey } : {}),
        timeoutMs: config.llmTimeoutMs,
        retry,
      });
    case 'offline':
      return new OfflineArchitect({
        reason: config.llmProvider === 'offline' ? 'GENAUTOML_LLM_PROVIDER=offline' : 'no LLM configured',
      });
  }
}

export { GroqProvider, OpenAICompatibleProvider, OfflineArchitect };
