/**
 * The reflection loop: ask the architect for a model, validate it for real, and on failure hand
 * back the precise error until the model validates or the iterations are spent. Administrative
 * fixes (class name, missing SEARCH_SPACE, name clash) are applied by the system and cost nothing.
 * Every iteration is recorded and rendered as a readable trace.
 */
import { GenAutoMLError, isGenAutoMLError } from '../errors.js';
import type { ModelDims, ValidationReport, Validator } from '../runner/types.js';
import { applyAdministrativeFixes, extractCode } from './extract.js';
import { buildDesignMessages, buildRepairPrompt, describeFailure, type AttemptFailure } from './prompt.js';
import { designCancelled } from './cancelled.js';
import type { ArchitectConstraints, ChatMessage, ChatProvider, EdaFacts, EvolutionBrief, TokenUsage } from './types.js';

export const DEFAULT_MAX_ITERATIONS = 5;

export interface ArchitectProgress {
  iteration: number;
  maxIterations: number;
  phase: 'designing' | 'validating' | 'repairing' | 'done' | 'failed';
  message: string;
}

export interface GenerateModelOptions {
  request: string;
  dims: ModelDims;
  /** Domain context from run_eda, in words; goes into the system prompt. */
  edaContext?: string;
  /** The same facts in structured form, for the offline architect. */
  edaFacts?: EdaFacts;
  constraints?: ArchitectConstraints;
  /** In an architect round: the leaderboard and which proposal this is (the offline architect reads it). */
  evolution?: EvolutionBrief;
  maxIterations?: number;
  provider: ChatProvider;
  validator: Validator;
  /** Model names already registered; a suggested name that clashes is suffixed. */
  existingNames?: Iterable<string>;
  signal?: AbortSignal;
  onProgress?: (event: ArchitectProgress) => void;
  /** How the first validation waits for a runner slot (`call`: may be refused as busy); later ones always wait, so a loop once started is not cut off. */
  admission?: 'call' | 'job';
}

export interface IterationFailure {
  stage: string;
  message: string;
  /** The full error text as sent back to the architect. */
  detail: string;
}

export interface IterationRecord {
  index: number;
  /** The messages sent to the provider for this iteration. */
  prompt: ChatMessage[];
  reply: string;
  /** The code validated (after administrative fixes), or null when the reply had none. */
  code: string | null;
  fixes: string[];
  error: IterationFailure | null;
  report: ValidationReport | null;
  durationMs: number;
  llmMs: number;
  validateMs: number;
  tokens: TokenUsage;
  model: string;
}

export interface GenerateModelResult {
  ok: boolean;
  /** The validated code; on failure, the last code tried (or null). */
  code: string | null;
  /** A name for the model suggested by the reply, made unique against existingNames. */
  name: string | null;
  report: ValidationReport | null;
  /** The last error, when ok is false. */
  error: IterationFailure | null;
  iterations: IterationRecord[];
  provider: ChatProvider['kind'];
  model: string;
  /** The architect's reasons, when it gives them (the offline architect does). */
  explanation: string | null;
  tokens: TokenUsage;
  durationMs: number;
  /** A readable trace of the whole loop. */
  log: string;
}

/** Turns a validation report into a failure, or null when it meets the contract and the budgets. */
export function classifyReport(report: ValidationReport, constraints: ArchitectConstraints): AttemptFailure | null {
  if (!report.ok) return { stage: report.stage, message: report.message, report };
  if (constraints.paramBudget !== undefined && report.params !== null && report.params > constraints.paramBudget) {
    return {
      stage: 'budget',
      message: `${report.params.toLocaleString('en-US')} trainable parameters, over the budget of ${constraints.paramBudget.toLocaleString('en-US')}; make the model smaller`,
      report,
    };
  }
  if (constraints.latencyMsBudget !== undefined && report.latencyMs !== null && report.latencyMs > constraints.latencyMsBudget) {
    return {
      stage: 'latency',
      message: `forward latency ${report.latencyMs.toFixed(2)} ms at batch 1, over the budget of ${constraints.latencyMsBudget} ms; make the model cheaper to run`,
      report,
    };
  }
  return null;
}

function ms(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

function firstLine(s: string, max = 160): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export async function generateModel(options: GenerateModelOptions): Promise<GenerateModelResult> {
  const { request, dims, provider, validator, signal, onProgress } = options;
  const constraints = options.constraints ?? {};
  const maxIterations = Math.max(1, Math.floor(options.maxIterations ?? DEFAULT_MAX_ITERATIONS));
  const existing = options.existingNames ? [...options.existingNames] : undefined;
  const started = performance.now();
  const base = buildDesignMessages({ request, dims, edaContext: options.edaContext ?? '', constraints });
  const iterations: IterationRecord[] = [];
  const history: string[] = [];
  const tokens: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  const log = new TraceLog(provider, request, dims, constraints, maxIterations);
  let messages: ChatMessage[] = base;
  let previous: { code: string | null; report: ValidationReport | null } = { code: null, report: null };
  let explanation: string | null = null;
  let lastModel = provider.model;

  const progress = (iteration: number, phase: ArchitectProgress['phase'], message: string): void =>
    onProgress?.({ iteration, maxIterations, phase, message });

  for (let index = 1; index <= maxIterations; index++) {
    if (signal?.aborted) throw designCancelled();
    const iterStart = performance.now();
    progress(index, index === 1 ? 'designing' : 'repairing', index === 1 ? `asking ${provider.kind} for a design` : `asking ${provider.kind} for a repair`);

    const llmStart = performance.now();
    let reply;
    try {
      reply = await provider.chat(messages, {
        ...(signal ? { signal } : {}),
        brief: {
          request,
          dims,
          constraints,
          iteration: index,
          ...(options.edaFacts ? { edaFacts: options.edaFacts } : {}),
          ...(options.evolution ? { evolution: options.evolution } : {}),
          ...(previous.report ? { previousReport: previous.report } : {}),
          ...(previous.code ? { previousCode: previous.code } : {}),
        },
      });
    } catch (err) {
      if (isGenAutoMLError(err) && err.code === 'architect.cancelled') throw err;
      // A provider failure is not the model's fault: no more iterations would help, so it
      // propagates with the trace so far for whoever reports it.
      log.providerError(index, err);
      const e = isGenAutoMLError(err) ? err : new GenAutoMLError('llm.request_failed', err instanceof Error ? err.message : String(err), { cause: err });
      throw new GenAutoMLError(e.code, e.message, { hint: e.hint, cause: err, details: { ...e.details, iteration: index, log: log.text() } });
    }
    const llmMs = ms(llmStart);
    tokens.promptTokens += reply.usage.promptTokens;
    tokens.completionTokens += reply.usage.completionTokens;
    lastModel = reply.model;
    if (reply.explanation) explanation = reply.explanation;

    const extracted = extractCode(reply.text);
    let code: string | null = null;
    let name: string | null = null;
    let fixes: string[] = [];
    let failure: AttemptFailure | null;
    let report: ValidationReport | null = null;
    let validateMs = 0;
    if (extracted === null) {
      failure = { stage: 'extract', message: 'the reply contains no Python code block with a model class', report: null };
    } else {
      const fixed = applyAdministrativeFixes(extracted, existing ? { existingNames: existing } : {});
      code = fixed.code;
      name = fixed.name;
      fixes = fixed.fixes;
      if (signal?.aborted) throw designCancelled();
      progress(index, 'validating', 'validating the model in the sandbox');
      const vStart = performance.now();
      report = await validator.validate(code, dims, {
        ...(constraints.paramBudget !== undefined ? { paramBudget: constraints.paramBudget } : {}),
        ...(signal ? { signal } : {}),
        admission: index === 1 ? (options.admission ?? 'job') : 'job',
      });
      validateMs = ms(vStart);
      failure = classifyReport(report, constraints);
    }

    const error: IterationFailure | null = failure ? { stage: failure.stage, message: failure.message, detail: describeFailure(failure, code) } : null;
    const record: IterationRecord = {
      index,
      prompt: messages,
      reply: reply.text,
      code,
      fixes,
      error,
      report,
      durationMs: ms(iterStart),
      llmMs,
      validateMs,
      tokens: reply.usage,
      model: reply.model,
    };
    iterations.push(record);
    log.iteration(record, reply.explanation);

    if (failure === null && code !== null && report !== null) {
      progress(index, 'done', `validated after ${index} iteration${index === 1 ? '' : 's'}`);
      log.finish(true, index);
      return {
        ok: true,
        code,
        name,
        report,
        error: null,
        iterations,
        provider: provider.kind,
        model: lastModel,
        explanation,
        tokens,
        durationMs: ms(started),
        log: log.text(),
      };
    }

    const f = failure as AttemptFailure;
    if (index < maxIterations) {
      const repair = buildRepairPrompt({ failure: f, code, iteration: index, maxIterations, history });
      // Only the latest attempt goes back, not the whole conversation: the prompt stays bounded
      // over five iterations and the history list keeps the earlier lessons in one line each.
      const previousAnswer = code !== null ? `\`\`\`python\n${code}\`\`\`` : reply.text.slice(0, 4000);
      messages = [...base, { role: 'assistant', content: previousAnswer }, { role: 'user', content: repair }];
      progress(index, 'repairing', `${f.stage}: ${firstLine(f.message)}`);
    }
    history.push(`${f.stage}: ${firstLine(f.message)}`);
    previous = { code, report };
  }

  const last = iterations.at(-1);
  progress(maxIterations, 'failed', `no valid model after ${maxIterations} iterations`);
  log.finish(false, maxIterations);
  return {
    ok: false,
    code: last?.code ?? null,
    name: null,
    report: last?.report ?? null,
    error: last?.error ?? null,
    iterations,
    provider: provider.kind,
    model: lastModel,
    explanation,
    tokens,
    durationMs: ms(started),
    log: log.text(),
  };
}

/** Builds the human-readable trace, in the spirit of the method's reflection traces. */
class TraceLog {
  private readonly lines: string[] = [];

  constructor(provider: ChatProvider, request: string, dims: ModelDims, constraints: ArchitectConstraints, maxIterations: number) {
    this.lines.push(`Neural architect: ${provider.kind} (${provider.model}), up to ${maxIterations} iterations`);
    this.lines.push(`Request: ${request.trim()}`);
    const limits = [
      constraints.paramBudget !== undefined ? `params ≤ ${constraints.paramBudget.toLocaleString('en-US')}` : null,
      constraints.latencyMsBudget !== undefined ? `latency ≤ ${constraints.latencyMsBudget} ms` : null,
      constraints.forbidden?.length ? `forbidden: ${constraints.forbidden.join(', ')}` : null,
    ].filter((x) => x !== null);
    this.lines.push(`Contract: (B, ${dims.lookback}, ${dims.nFeatures}) → (B, ${dims.horizon}, ${dims.nFeatures}), task ${dims.task}${limits.length ? `; ${limits.join('; ')}` : ''}`);
  }

  iteration(r: IterationRecord, explanation: string | undefined): void {
    const secs = (r.durationMs / 1000).toFixed(1);
    this.lines.push('');
    this.lines.push(`── Iteration ${r.index} (${secs} s: LLM ${(r.llmMs / 1000).toFixed(1)} s, validation ${(r.validateMs / 1000).toFixed(1)} s; tokens ${r.tokens.promptTokens} in / ${r.tokens.completionTokens} out)`);
    if (explanation && r.index === 1) this.lines.push(...explanation.split('\n').map((l) => `   ${l}`));
    if (r.code !== null) {
      const cls = /^class\s+Model\b/m.test(r.code) ? 'class Model' : 'no class Model';
      const space = /^SEARCH_SPACE\s*=\s*\{([^}]*)\}/m.exec(r.code)?.[1];
      const keys = space ? [...space.matchAll(/["'](\w+)["']\s*:/g)].map((m) => m[1]).join(', ') : '';
      this.lines.push(`   Code: ${r.code.split('\n').length} lines, ${cls}, SEARCH_SPACE {${keys}}`);
    }
    for (const fix of r.fixes) this.lines.push(`   System fix (not counted): ${fix}`);
    if (r.error === null && r.report) {
      const rep = r.report;
      this.lines.push(
        `   Validation: OK — ${rep.params?.toLocaleString('en-US') ?? '?'} params, output (${rep.outputShape?.join(', ') ?? '?'})${rep.latencyMs !== null ? `, latency ${rep.latencyMs.toFixed(2)} ms` : ''}${rep.projection ? `, projection ${rep.projection.kind}` : ''}`,
      );
      return;
    }
    if (r.error) {
      this.lines.push(`   Validation: FAILED at ${r.error.stage}`);
      for (const l of r.error.detail.split('\n').slice(1)) this.lines.push(`   │ ${l}`);
    }
  }

  providerError(index: number, err: unknown): void {
    this.lines.push('', `── Iteration ${index}: the LLM request failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  finish(ok: boolean, n: number): void {
    this.lines.push('');
    this.lines.push(ok ? `Result: valid model after ${n} iteration${n === 1 ? '' : 's'}.` : `Result: FAILED — no valid model after ${n} iterations; the last error is above.`);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
