/** The neural architect's public surface: providers, prompts, extraction and the reflection loop. */
export * from './types.js';
export { generateModel, classifyReport, DEFAULT_MAX_ITERATIONS } from './loop.js';
export type { GenerateModelOptions, GenerateModelResult, IterationRecord, IterationFailure, ArchitectProgress } from './loop.js';
export { buildSystemPrompt, buildDesignMessages, buildRepairPrompt, describeFailure, formatEdaFacts, trimTraceback } from './prompt.js';
export type { PromptInput, AttemptFailure, RepairInput } from './prompt.js';
export { extractCode, applyAdministrativeFixes, uniqueName } from './extract.js';
export type { AdministrativeResult } from './extract.js';
export { createArchitectProvider, type ArchitectConfig } from './providers/index.js';
export { GroqProvider, GROQ_DEFAULT_BASE_URL, type GroqOptions } from './providers/groq.js';
export { OpenAICompatibleProvider, type OpenAICompatibleOptions } from './providers/openai.js';
export { ScriptedProvider, type ScriptedReply } from './providers/scripted.js';
export { DEFAULT_RETRY, type RetryPolicy } from './providers/retry.js';
export { OfflineArchitect, OFFLINE_MODEL, type OfflineDesign } from './offline/architect.js';
export { parseRequest, parseParamLimit, type DesignIntent, type Family } from './offline/parse.js';
