/**
 * What the architect is told: a system prompt that states the contract, the data, the limits and
 * the sandbox before the request, and a repair prompt that hands back the exact failure. The
 * method's finding is that precise feedback (real traceback, the offending line, expected vs
 * actual shapes) is what lets an LLM repair its own code in a few iterations.
 */
import type { ModelDims, ValidationReport } from '../runner/types.js';
import type { ArchitectConstraints, ChatMessage, EdaFacts } from './types.js';

export interface PromptInput {
  request: string;
  dims: ModelDims;
  /** Domain context from run_eda, already in words (periods, stationarity, volatility…). */
  edaContext?: string;
  constraints?: ArchitectConstraints;
}

/** Renders EDA facts as the domain-context paragraph, for callers that have facts but no text. */
export function formatEdaFacts(facts: EdaFacts): string {
  const parts: string[] = [];
  if (facts.periods && facts.periods.length > 0) parts.push(`dominant periods (in steps): ${facts.periods.join(', ')}`);
  if (facts.stationary !== undefined) parts.push(facts.stationary ? 'the series look stationary' : 'the series are non-stationary (trend or level shifts)');
  if (facts.volatility) parts.push(`volatility: ${facts.volatility}`);
  return parts.join('; ');
}

function shape(dims: ModelDims, which: 'in' | 'out'): string {
  return which === 'in' ? `(B, ${dims.lookback}, ${dims.nFeatures})` : `(B, ${dims.horizon}, ${dims.nFeatures})`;
}

/** The extra inputs a forward may ask for by name (docs/model-contract.md, "Extra inputs"). */
function extraInputsLine(dims: ModelDims): string {
  const period = dims.period === undefined ? 'the `cycle_len` __init__ argument (give it a default: no dataset period is known)' : `the \`cycle_len\` __init__ argument, set to the dataset's period, ${dims.period} steps`;
  return (
    '- Optional extra inputs, supplied by the runner when forward names them after x: `cycle_index`, a LongTensor (B,) holding the position of each window\'s first input row in a cycle of length P = ' +
    `${period} (learn one value per phase and channel, as CycleNet does); \`calendar\`, a float tensor (B, L, 6) of the input rows' calendar features in [-0.5, 0.5] (minute of hour, hour of day, day of week, day of month, day of year, month). Use them when the data has strong cycles; x stays the first argument.`
  );
}

export function buildSystemPrompt(input: PromptInput): string {
  const { dims } = input;
  const c = input.constraints ?? {};
  const task =
    dims.task === 'anomaly'
      ? 'Task: anomaly detection. The model is trained on normal windows and its prediction/reconstruction error is the anomaly score; it still maps a window to H future (or reconstructed) steps.'
      : 'Task: multivariate forecasting.';
  const limits: string[] = [];
  if (c.paramBudget !== undefined) limits.push(`at most ${c.paramBudget.toLocaleString('en-US')} trainable parameters with the default hyperparameters (every SEARCH_SPACE choice should respect it too)`);
  if (c.latencyMsBudget !== undefined) limits.push(`forward latency at batch 1 on CPU under ${c.latencyMsBudget} ms`);
  if (c.forbidden && c.forbidden.length > 0) limits.push(`do not use: ${c.forbidden.join(', ')}`);
  return [
    'You are a neural architect: you design one PyTorch forecasting model for the data described below.',
    '',
    '## Geometric contract',
    `- Input x: float tensor ${shape(dims, 'in')}: batch, lookback L = ${dims.lookback} time steps, C = ${dims.nFeatures} features.`,
    `- forward(self, x) returns ${shape(dims, 'out')}: the next H = ${dims.horizon} steps of all ${dims.nFeatures} features.`,
    '- Define `class Model(nn.Module)` with `def __init__(self, seq_len, pred_len, enc_in, <hyperparameters with defaults>)`; seq_len = L, pred_len = H, enc_in = C. Derive every size from these arguments, never hard-code them.',
    '- Keep L and C apart: transpose to (B, C, L) for Conv1d over time and back; a convolution without padding shortens L; every layer used in forward must be created in __init__; every parameter must receive a gradient.',
    `- ${task}`,
    extraInputsLine(dims),
    '',
    '## Data',
    input.edaContext && input.edaContext.trim() !== '' ? input.edaContext.trim() : 'No exploratory analysis is available.',
    '',
    '## Constraints',
    limits.length > 0 ? limits.map((l) => `- ${l}`).join('\n') : '- none beyond the contract',
    '',
    '## Sandbox',
    'The code runs in a sandbox with a static policy: imports only from torch, torch.nn, torch.nn.functional, math and typing; no attribute names with double underscores except super().__init__(); no getattr, setattr, eval, exec, compile, open, __import__, globals or vars; no file, process, network or serialisation APIs (torch.load, torch.save, pickle, os, sys, subprocess). Anything else is refused before it runs.',
    '',
    '## Output protocol',
    'Think through the design silently (at most a few short lines of reasoning, or none). Then answer with exactly one ```python code block and no prose outside it. The block contains:',
    '- a first line `# Name: <ShortCamelCaseName>` naming the architecture;',
    '- the imports, any helper modules, and `class Model(nn.Module)`;',
    '- a module-level literal `SEARCH_SPACE = {"hyperparameter": [values, ...]}` whose keys are __init__ hyperparameters (not seq_len, pred_len or enc_in), with 2-4 values each.',
  ].join('\n');
}

export function buildDesignMessages(input: PromptInput): ChatMessage[] {
  return [
    { role: 'system', content: buildSystemPrompt(input) },
    { role: 'user', content: `Design request: ${input.request.trim()}` },
  ];
}

/** One failed attempt, as the loop classifies it. `report` is null when no code could be read. */
export interface AttemptFailure {
  stage: string;
  message: string;
  report: ValidationReport | null;
}

const MAX_TRACEBACK_LINES = 30;

/** Keeps the end of a long traceback, where the cause is; the first line says lines were dropped. */
export function trimTraceback(tb: string, maxLines = MAX_TRACEBACK_LINES): string {
  const lines = tb.replace(/\r\n?/g, '\n').trimEnd().split('\n');
  if (lines.length <= maxLines) return lines.join('\n');
  return [`… (${lines.length - maxLines} earlier lines omitted)`, ...lines.slice(-maxLines)].join('\n');
}

function sourceLine(code: string | null, line: number | null | undefined): string | null {
  if (!code || line == null || line < 1) return null;
  const text = code.replace(/\r\n?/g, '\n').split('\n')[line - 1];
  return text === undefined ? null : text.trim();
}

function fmtShape(s: readonly number[] | null | undefined): string {
  return s ? `(${s.join(', ')})` : 'none';
}

/** The precise error of one failure, as text; shared by the repair prompt and the log. */
export function describeFailure(failure: AttemptFailure, code: string | null): string {
  const r = failure.report;
  const out: string[] = [`Stage: ${failure.stage}`, `Error: ${failure.message}`];
  if (r) {
    const offending = sourceLine(code, r.errorLine);
    if (r.errorLine != null) out.push(`Offending line ${r.errorLine}: ${offending ?? '(not in the model source)'}`);
    if (failure.stage === 'shape' || (r.outputShape && r.expectedShape.length > 0 && r.outputShape.join() !== r.expectedShape.join())) {
      out.push(`Expected output shape: ${fmtShape(r.expectedShape)}; actual output shape: ${fmtShape(r.outputShape)}`);
    }
    if (r.violations.length > 0) {
      out.push('Policy violations:');
      for (const v of r.violations.slice(0, 20)) {
        const text = sourceLine(code, v.line);
        out.push(`  line ${v.line}, col ${v.col} [${v.rule}]: ${v.message}${text ? `\n      ${text}` : ''}`);
      }
      if (r.violations.length > 20) out.push(`  … and ${r.violations.length - 20} more`);
    }
    if (r.traceback && r.traceback.trim() !== '') out.push('Traceback:', trimTraceback(r.traceback));
  }
  return out.join('\n');
}

export interface RepairInput {
  failure: AttemptFailure;
  code: string | null;
  iteration: number;
  maxIterations: number;
  /** One line per earlier failure, oldest first, so the model does not go back to a broken idea. */
  history?: string[];
}

export function buildRepairPrompt(input: RepairInput): string {
  const { failure, iteration, maxIterations } = input;
  const head =
    failure.report === null
      ? `Attempt ${iteration} of ${maxIterations} could not be used: ${failure.message}`
      : `Attempt ${iteration} of ${maxIterations} failed validation.`;
  const parts = [head, '', describeFailure(failure, input.code)];
  if (input.history && input.history.length > 0) {
    parts.push('', 'Earlier attempts failed with:', ...input.history.map((h, i) => `  ${i + 1}. ${h}`));
  }
  parts.push(
    '',
    'Find the cause in your code (trace the tensor shapes through forward step by step if it is a shape error), fix it, and reply with the corrected FULL model: exactly one ```python block with `# Name:`, the imports, `class Model(nn.Module)` and SEARCH_SPACE, and no prose outside it. Keep the constructor signature (seq_len, pred_len, enc_in, hyperparameters with defaults).',
  );
  return parts.join('\n');
}
