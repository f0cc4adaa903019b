/**
 * Maps an HTTP failure of a chat-completions endpoint to the project's errors. Groq and the
 * OpenAI-compatible servers share one wire format, so one mapping serves every preset.
 */
import { GenAutoMLError } from '../errors.js';
import { RetryableFailure, parseRetryAfter } from './retry.js';

export interface EndpointInfo {
  /** "Groq" or the base URL, for messages. */
  label: string;
  model: string;
  keySent: boolean;
  /** Names the variable to set, for hints. */
  keyVariable: string;
  modelVariable: string;
}

/** Pulls `error.message` / `error.code` out of an OpenAI-style error body, whatever its shape. */
export function describeErrorBody(body: unknown): { message: string | null; code: string | null } {
  if (typeof body === 'string') return { message: body.slice(0, 500) || null, code: null };
  if (body === null || typeof body !== 'object') return { message: null, code: null };
  const obj = body as Record<string, unknown>;
  const inner = (typeof obj.error === 'object' && obj.error !== null ? obj.error : obj) as Record<string, unknown>;
  const message = typeof inner.message === 'string' ? inner.message : typeof obj.error === 'string' ? obj.error : null;
  const code = typeof inner.code === 'string' ? inner.code : typeof inner.type === 'string' ? inner.type : null;
  return { message: message?.slice(0, 500) ?? null, code };
}

/**
 * Returns the error to throw for a non-2xx reply: a RetryableFailure for 429/5xx (the retry
 * loop decides), a GenAutoMLError otherwise.
 */
export function httpFailure(
  status: number,
  body: unknown,
  headers: (name: string) => string | null | undefined,
  info: EndpointInfo,
): RetryableFailure | GenAutoMLError {
  const { message, code } = describeErrorBody(body);
  const said = message ? `: ${message}` : '';
  const details = { status, ...(code ? { code } : {}), endpoint: info.label, model: info.model };
  if (status === 429) {
    const final = new GenAutoMLError('llm.rate_limited', `${info.label} rate-limited the request${said}`, {
      hint: 'Wait a minute, lower the request rate, or raise GENAUTOML_LLM_MAX_RETRIES.',
      details,
    });
    return new RetryableFailure(status, `HTTP 429${said}`, parseRetryAfter(headers), final);
  }
  if (status >= 500) {
    const final = new GenAutoMLError('llm.unavailable', `${info.label} failed with HTTP ${status}${said}`, {
      hint: 'The LLM service is having trouble; try again later or configure another provider.',
      details,
    });
    return new RetryableFailure(status, `HTTP ${status}${said}`, parseRetryAfter(headers), final);
  }
  if (status === 401 || status === 403) {
    if (!info.keySent) {
      return new GenAutoMLError('llm.missing_key', `${info.label} requires an API key and none is configured${said}`, {
        hint: `Set ${info.keyVariable}.`,
        details,
      });
    }
    return new GenAutoMLError('llm.invalid_key', `${info.label} refused the API key (HTTP ${status})${said}`, {
      hint: `Check ${info.keyVariable}: it may be wrong, revoked, or lack access to model ${info.model}.`,
      details,
    });
  }
  const looksLikeUnknownModel =
    code === 'model_not_found' ||
    (status === 404 && (message === null || /model/i.test(message))) ||
    (status === 400 && message !== null && /model\b.*\b(not found|does not exist|unknown|decommissioned)/i.test(message));
  if (looksLikeUnknownModel) {
    return new GenAutoMLError('llm.unknown_model', `${info.label} does not know model "${info.model}"${said}`, {
      hint: `Set ${info.modelVariable} to a model the endpoint serves.`,
      details,
    });
  }
  if (status === 404) {
    return new GenAutoMLError('llm.bad_endpoint', `${info.label} has no chat-completions endpoint at this address (HTTP 404)${said}`, {
      hint: 'Check the base URL: OpenAI-compatible servers usually end in /v1 (e.g. http://localhost:11434/v1).',
      details,
    });
  }
  return new GenAutoMLError('llm.request_failed', `${info.label} rejected the request with HTTP ${status}${said}`, {
    hint: 'The message says why; a too-long prompt or an unsupported parameter are the usual causes.',
    details,
  });
}
