/**
 * Calling a tool the same way from every edge: arguments are checked against the input schema,
 * the handler runs, and its data is checked against the output schema, so a client never receives
 * a result that contradicts the schema the tool publishes. Edges only translate around this.
 */
import { z } from 'zod';
import { GenAutoMLError, toGenAutoMLError } from '../engine/errors.js';
import type { AnyTool, ToolContext, ToolResult } from './define.js';

export async function invokeTool(tool: AnyTool, rawArgs: unknown, ctx: ToolContext): Promise<ToolResult<Record<string, unknown>>> {
  const parsed = (tool.input as z.ZodObject).safeParse(rawArgs ?? {});
  if (!parsed.success) {
    throw new GenAutoMLError('tool.invalid_arguments', `Invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}.`, {
      hint: `Check the arguments against the input schema of ${tool.name}.`,
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
    });
  }
  throwIfCancelled(ctx.signal, tool.name);
  let result: ToolResult<Record<string, unknown>>;
  try {
    result = await tool.handler(parsed.data, ctx);
  } catch (err) {
    if (ctx.signal.aborted) throw cancelled(tool.name, err);
    throw toGenAutoMLError(err);
  }
  const out = (tool.output as z.ZodObject).safeParse(result.data);
  if (!out.success) {
    throw new GenAutoMLError('tool.bad_output', `${tool.name} produced a result that does not match its output schema: ${describeIssues(out.error)}.`, {
      hint: 'This is a bug in the tool; please report it with the logs.',
    });
  }
  return { ...result, data: out.data as Record<string, unknown> };
}

/** `field.sub: message; other: message`, short enough for one line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function throwIfCancelled(signal: AbortSignal, name: string): void {
  if (signal.aborted) throw cancelled(name, signal.reason);
}

function cancelled(name: string, cause: unknown): GenAutoMLError {
  return new GenAutoMLError('tool.cancelled', `${name} was cancelled.`, { cause, hint: 'Run it again when you want the result.' });
}

/** The JSON Schemas a tool publishes: what it accepts (input side) and what it returns (output side). */
export function toolJsonSchemas(tool: AnyTool): { input: Record<string, unknown>; output: Record<string, unknown> } {
  return {
    input: z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>,
    output: z.toJSONSchema(tool.output, { io: 'output' }) as Record<string, unknown>,
  };
}
