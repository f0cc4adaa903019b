/** MCP over stdio: stdout carries protocol messages only, so everything else goes to stderr. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from '../engine/log.js';
import { type AppSource, createMcpServer } from './mcp/server.js';

export interface StdioHandle {
  /** Resolves when the client goes away (stdin ends) or close() was called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** Answers at once: `app` may still be opening (a promise); requests that need it wait for it. */
export async function serveStdio(app: AppSource, logger: Logger): Promise<StdioHandle> {
  const transport = new StdioServerTransport(process.stdin, process.stdout);
  const mcp = createMcpServer(app, { origin: 'mcp:stdio', logger });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  transport.onclose = () => resolveClosed();
  // The transport does not notice its client exiting; stdin ending is that signal.
  const onEnd = (): void => resolveClosed();
  process.stdin.once('end', onEnd);
  process.stdin.once('close', onEnd);
  await mcp.connect(transport);
  logger.info('MCP server on stdio');
  return {
    closed,
    async close() {
      process.stdin.off('end', onEnd);
      process.stdin.off('close', onEnd);
      await mcp.close().catch(() => {});
      resolveClosed();
    },
  };
}
