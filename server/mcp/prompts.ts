/**
 * Workflow prompts: the three conversations genautoml is for, as templates a client can offer
 * (slash commands in most assistants). Each names the tools to call in order and what to report,
 * so a model that has never seen the server follows the intended path: explore, design, search.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { GetPromptRequestSchema, type GetPromptResult, ListPromptsRequestSchema, McpError, type Prompt } from '@modelcontextprotocol/sdk/types.js';

interface PromptDef extends Prompt {
  render(args: Record<string, string>): string;
}

const PROMPTS: PromptDef[] = [
  {
    name: 'explore_dataset',
    title: 'Explore a dataset',
    description: 'Exploratory analysis of a stored dataset: statistics, stationarity, seasonality, correlations and outliers, summarised for modelling.',
    arguments: [
      { name: 'dataset', description: 'Dataset id (ds_…) or name; list_datasets shows them.', required: true },
      { name: 'question', description: 'Something to find out about the data.', required: false },
    ],
    render: (a) =>
      [
        `Explore the dataset ${a.dataset} with genautoml.`,
        `1. Call run_eda with dataset "${a.dataset}"${a.question ? ` and question "${a.question}"` : ''}. Its plots are resource links; read one only if a picture helps.`,
        '2. Report in a few short paragraphs: size and frequency, which features are stationary, the dominant periods (in time units), trend and seasonal strength, the strongest correlations, and notable outliers with their timestamps.',
        '3. End with what this means for a forecasting model: a sensible lookback (a multiple of the main period), whether to normalise per window (RevIN), and which baselines to try first.',
      ].join('\n'),
  },
  {
    name: 'design_model',
    title: 'Design a model',
    description: 'Have the neural architect design, validate and register a PyTorch model for a dataset, then check it in the sandbox.',
    arguments: [
      { name: 'dataset', description: 'Dataset id or name.', required: true },
      { name: 'request', description: 'What to build, e.g. "a lightweight inception model under 50k parameters".', required: false },
      { name: 'model', description: 'An existing model to start from or compare with (list_models).', required: false },
    ],
    render: (a) =>
      [
        `Design a PyTorch forecasting model for dataset ${a.dataset}.`,
        '1. If you have not yet, call run_eda on it and note the dominant period and the number of features.',
        `2. Call generate_pytorch_model with dataset "${a.dataset}" and request "${a.request ?? 'a small, fast model that suits this data'}"${a.model ? `, taking ${a.model} as the reference to beat` : ''}. If it answers with a task id, follow it with task_status.`,
        '3. Call validate on the registered model with the same dataset and report its parameters, latency and output shape. If generation failed, report the last error and suggest a narrower request.',
      ].join('\n'),
  },
  {
    name: 'run_search',
    title: 'Run and report a search',
    description: 'Start an architecture and hyperparameter search on a dataset, follow it to the end and report the leaderboard and the exported winner.',
    arguments: [
      { name: 'dataset', description: 'Dataset id or name.', required: true },
      { name: 'minutes', description: 'Time budget in minutes (default 10).', required: false },
      { name: 'study', description: 'An existing study to follow and report instead of starting one.', required: false },
    ],
    render: (a) =>
      [
        a.study
          ? `Follow study ${a.study} on dataset ${a.dataset} and report it.`
          : `1. Call search with dataset "${a.dataset}" and maxMinutes ${a.minutes ?? '10'}. It returns a study id at once.`,
        '2. Call search_status with that study id every minute or so (each call answers at once) until the state is done, failed or cancelled; mention progress briefly. You may instead subscribe to the genautoml://studies/{id} resource.',
        '3. When done, call benchmark with the study id and report the leaderboard: rank, model, validation loss, test MAE/RMSE in original units, parameters and latency. Say that selection used the validation split only.',
        '4. Call export_model with the study id and say where the files are and how to load them (USAGE.md).',
      ].join('\n'),
  },
];

export function registerPrompts(server: Server): void {
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: PROMPTS.map(({ render: _render, ...p }) => p),
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (request): Promise<GetPromptResult> => {
    const def = PROMPTS.find((p) => p.name === request.params.name);
    if (!def) throw new McpError(-32602, `[prompt.unknown] There is no prompt called "${request.params.name}". — Prompts: ${PROMPTS.map((p) => p.name).join(', ')}.`);
    const args = request.params.arguments ?? {};
    const missing = (def.arguments ?? []).filter((a) => a.required && !args[a.name]?.trim()).map((a) => a.name);
    if (missing.length > 0) throw new McpError(-32602, `[prompt.missing_argument] ${def.name} needs ${missing.join(', ')}. — Pass them as prompt arguments; completion/complete suggests ids.`);
    return { description: def.description, messages: [{ role: 'user', content: { type: 'text', text: def.render(args) } }] };
  });
}

export const PROMPT_NAMES = PROMPTS.map((p) => p.name);
