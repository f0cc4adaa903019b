/** Translation of tool results and errors into MCP CallToolResult, the only place that knows both shapes. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { formatError, type GenAutoMLError } from '../../engine/errors.js';
import type { ToolResult } from '../../tools/define.js';

/** `_meta` key carrying the error's code, hint and details for clients that act on them. */
export const ERROR_META_KEY = 'genautoml/error';
/**
 * An attachment (code, a log) travels inline only up to this size. Larger ones are already in the
 * structured data or behind a resource link; the CLI and the bots attach them as files.
 */
const ATTACHMENT_INLINE_MAX = 4096;

export function toCallToolResult(result: ToolResult<Record<string, unknown>>): CallToolResult {
  const content: CallToolResult['content'] = [{ type: 'text', text: result.summary }];
  for (const image of result.images ?? []) {
    // Inline only when asked, and then the thumbnail (small enough for a chat window); the full
    // image is always a link. An image that was not stored has no link, so it travels inline.
    if (image.inline === true || image.uri === undefined) content.push({ type: 'image', data: (image.thumbnail ?? image.png).toString('base64'), mimeType: 'image/png' });
    if (image.uri) content.push({ type: 'resource_link', uri: image.uri, name: image.name, title: image.title, mimeType: 'image/png' });
  }
  for (const link of result.links ?? []) {
    content.push({
      type: 'resource_link',
      uri: link.uri,
      name: link.name,
      ...(link.mimeType === undefined ? {} : { mimeType: link.mimeType }),
      ...(link.description === undefined ? {} : { description: link.description }),
    });
  }
  for (const attachment of result.attachments ?? []) {
    if (attachment.text.length <= ATTACHMENT_INLINE_MAX) content.push({ type: 'text', text: `--- ${attachment.name} ---\n${attachment.text}` });
  }
  return { content, structuredContent: result.data };
}

/** An error the model can read and act on: `[code] message — hint`, never structuredContent. */
export function toErrorResult(err: GenAutoMLError): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: formatError(err) }],
    _meta: { [ERROR_META_KEY]: jsonSafe(err.toJSON()) },
  };
}

/** details are meant to be JSON, but a stray bigint or cycle must not break the error path. */
function jsonSafe(value: unknown): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
