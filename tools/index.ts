/**
 * The one list of tools. The MCP server, the CLI and the bots all serve exactly this list, so a
 * tool added here appears everywhere at once. Add a tool by importing it and appending it.
 */
import { GenAutoMLError } from '../engine/errors.js';
import type { AnyTool } from './define.js';
import { listDatasets } from './list_datasets.js';
import { serverInfo } from './server_info.js';

export const TOOLS: AnyTool[] = [listDatasets, serverInfo];

/** The tool called `name`, or a `tool.unknown` error listing the tools that exist. */
export function getTool(name: string, tools: readonly AnyTool[] = TOOLS): AnyTool {
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    throw new GenAutoMLError('tool.unknown', `There is no tool called "${name}".`, {
      hint: `Available tools: ${tools.map((t) => t.name).join(', ')}.`,
      details: { name },
    });
  }
  return tool;
}
