/**
 * Chooses the architect from the configuration: the LLM client on the configured endpoint (Groq
 * when GROQ_API_KEY is set, an OpenAI-compatible one when GENAUTOML_LLM_BASE_URL is), the offline
 * template architect otherwise (and it says why in every result).
 */
import { createLlmClient, type LlmClientOptions } from '../../llm/client.js';
import { llmEndpoint, type LlmConfig } from '../../llm/presets.js';
import { OfflineArchitect } from '../offline/architect.js';
import type { ChatProvider } from '../types.js';
import { LlmArchitect } from './llm.js';

export function createArchitectProvider(config: LlmConfig, options: LlmClientOptions = {}): ChatProvider {
  const endpoint = llmEndpoint(config);
  if (endpoint) return new LlmArchitect(createLlmClient(endpoint, options));
  return new OfflineArchitect({
    reason: config.llmProvider === 'offline' ? 'GENAUTOML_LLM_PROVIDER=offline' : 'no LLM configured',
  });
}
