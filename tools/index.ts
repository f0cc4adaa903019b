/**
 * The one list of tools. The MCP server, the CLI and the bots all serve exactly this list, so a
 * tool added here appears everywhere at once. Add a tool by importing it and appending it.
 */
import { GenAutoMLError } from '../engine/errors.js';
import type { AnyTool } from './define.js';
import { addCandidatesTool } from './add_candidates.js';
import { benchmark } from './benchmark.js';
import { cancelSearch } from './cancel_search.js';
import { evolveSearch } from './evolve_search.js';
import { exportModel } from './export_model.js';
import { generatePytorchModel } from './generate_pytorch_model.js';
import { listDatasets } from './list_datasets.js';
import { labelDataset } from './label_dataset.js';
import { loadDataset } from './load_dataset.js';
import { deleteModel, getModel, listModels, renameModel } from './models.js';
import { runEdaTool } from './run_eda.js';
import { search } from './search.js';
import { searchStatus } from './search_status.js';
import { serverInfoTool } from './server_info.js';
import { subscribe } from './subscribe.js';
import { taskStatus } from './task_status.js';
import { validate } from './validate.js';

export const TOOLS: AnyTool[] = [
  loadDataset,
  labelDataset,
  listDatasets,
  runEdaTool,
  generatePytorchModel,
  validate,
  listModels,
  getModel,
  renameModel,
  deleteModel,
  search,
  searchStatus,
  addCandidatesTool,
  evolveSearch,
  cancelSearch,
  benchmark,
  exportModel,
  subscribe,
  taskStatus,
  serverInfoTool(() => TOOLS),
];

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
