/**
 * The MCP server over the tool registry. One McpServer per connection (stdio process or HTTP
 * session); all of them share the one App.
 *
 * Tools are registered with the SDK's registerTool so that tools/list publishes the JSON input and
 * output schemas generated from the zod definitions. tools/call is then answered by our own
 * handler instead of the SDK's, because the SDK turns an unknown tool or invalid arguments into
 * free-text errors; ours goes through invokeTool like every other edge and answers
 * `[code] message — hint` with the code in _meta.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import { toGenAutoMLError } from '../../engine/errors.js';
import type { Logger } from '../../engine/log.js';
import { packageVersion } from '../../engine/paths.js';
import type { AnyTool, Progress, ProgressReporter } from '../../tools/define.js';
import { getTool, TOOLS } from '../../tools/index.js';
import { invokeTool } from '../../tools/invoke.js';
import { registerResources } from './resources.js';
import { toCallToolResult, toErrorResult } from './result.js';

export interface McpServerOptions {
  tools?: readonly AnyTool[];
  /** Recorded as ToolContext.origin, e.g. `mcp:stdio` or `mcp:http`. */
  origin?: string;
  logger?: Logger;
}

/** Progress notifications at most this often, so a per-batch reporter cannot flood the client. */
const PROGRESS_INTERVAL_MS = 100;

const INSTRUCTIONS =
  'genautoml turns time-series data into validated PyTorch models. Start with list_datasets or server_info; ' +
  'stored objects are readable as genautoml:// resources. Errors read "[code] message — hint": follow the hint.';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function createMcpServer(app: App, options: McpServerOptions = {}): McpServer {
  const tools = options.tools ?? TOOLS;
  const origin = options.origin ?? 'mcp';
  const logger = (options.logger ?? app.logger).child({ component: 'mcp' });
  const mcp = new McpServer(
    { name: 'genautoml', title: 'genautoml', version: packageVersion() },
    { capabilities: { tools: { listChanged: false }, resources: { listChanged: false } }, instructions: INSTRUCTIONS },
  );

  const call = async (name: string, args: unknown, extra: Extra): Promise<CallToolResult> => {
    const log = logger.child({ tool: name, requestId: extra.requestId, ...(extra.sessionId ? { sessionId: extra.sessionId } : {}) });
    try {
      const tool = getTool(name, tools);
      const result = await invokeTool(tool, args, {
        app,
        progress: progressSender(extra, log),
        signal: extra.signal,
        logger: log,
        origin,
      });
      return toCallToolResult(result);
    } catch (err) {
      const e = toGenAutoMLError(err);
      if (e.code === 'internal.unexpected') log.error('tool failed', { err: e.cause ?? e });
      else log.info('tool error', { code: e.code });
      return toErrorResult(e);
    }
  };

  for (const tool of tools) {
    mcp.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
      },
      // Unused while our tools/call handler below is installed; kept correct for completeness.
      (args: unknown, extra: Extra) => call(tool.name, args, extra),
    );
  }
  mcp.server.removeRequestHandler('tools/call');
  mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) => call(request.params.name, request.params.arguments ?? {}, extra));

  registerResources(mcp, app);
  return mcp;
}

/** notifications/progress for requests that asked for it (carried a progressToken); otherwise a no-op. */
function progressSender(extra: Extra, log: Logger): ProgressReporter {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  let last = -Infinity;
  let lastSent = 0;
  return (p: Progress) => {
    // The protocol requires progress to increase; a reporter restarting a phase must not go back.
    const value = Math.max(p.done, last);
    const final = p.total !== undefined && value >= p.total;
    const now = Date.now();
    if (value === last && !p.message) return;
    if (!final && now - lastSent < PROGRESS_INTERVAL_MS) return;
    last = value;
    lastSent = now;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken: token,
          progress: value,
          ...(p.total === undefined ? {} : { total: p.total }),
          ...(p.message === undefined ? {} : { message: p.message }),
        },
      })
      .catch((err: unknown) => log.debug('progress notification not delivered', { err }));
  };
}
