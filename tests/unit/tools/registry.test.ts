import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../../engine/app.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import { silentLogger } from '../../../engine/log.js';
import { BUILTIN_COMMANDS } from '../../../server/cli/main.js';
import { cliFields } from '../../../server/cli/fields.js';
import { toolCommandName } from '../../../server/cli/tool-command.js';
import { defineTool, type ToolContext } from '../../../tools/define.js';
import { getTool, TOOLS } from '../../../tools/index.js';
import { invokeTool, toolJsonSchemas } from '../../../tools/invoke.js';
import { formatInterval } from '../../../tools/list_datasets.js';

const ctx = (signal: AbortSignal = new AbortController().signal): ToolContext => ({
  app: {} as App,
  progress: () => {},
  signal,
  logger: silentLogger,
  origin: 'test',
});

describe('the tool registry', () => {
  it('has unique, MCP-safe names and unique CLI command names', () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
    const commands = TOOLS.flatMap((t) => [toolCommandName(t), t.name]);
    expect(new Set(TOOLS.map(toolCommandName)).size).toBe(TOOLS.length);
    for (const c of TOOLS.map(toolCommandName)) expect(BUILTIN_COMMANDS).not.toContain(c);
    expect(commands).toContain('list_datasets');
  });

  it.each(TOOLS.map((t) => [t.name, t] as const))('%s publishes JSON input and output object schemas', (_name, tool) => {
    expect(tool.title.length).toBeGreaterThan(0);
    expect(tool.description.length).toBeGreaterThan(20);
    const { input, output } = toolJsonSchemas(tool);
    expect(input.type).toBe('object');
    expect(output.type).toBe('object');
    // Every output field is documented to clients as a JSON type, never an opaque "any".
    expect(Object.keys((output.properties ?? {}) as object).length).toBeGreaterThan(0);
  });

  it.each(TOOLS.map((t) => [t.name, t] as const))('%s has CLI flags derivable from its input schema', (_name, tool) => {
    expect(() => cliFields(tool)).not.toThrow();
  });

  it('includes list_datasets and server_info', () => {
    expect(getTool('list_datasets').annotations.readOnlyHint).toBe(true);
    expect(toolCommandName(getTool('server_info'))).toBe('info');
  });

  it('names the available tools when asked for an unknown one', () => {
    const err = (() => {
      try {
        getTool('nope');
      } catch (e) {
        return e as GenAutoMLError;
      }
    })();
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect(err?.code).toBe('tool.unknown');
    expect(err?.hint).toMatch(/list_datasets/);
  });
});

const echo = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Echoes its argument for the tests.',
  input: z.object({ text: z.string(), times: z.number().int().min(1).default(1) }),
  output: z.object({ text: z.string() }),
  annotations: { readOnlyHint: true },
  async handler(args) {
    return { data: { text: args.text.repeat(args.times) }, summary: 'ok' };
  },
});

describe('invokeTool (error translation shared by every edge)', () => {
  it('validates and applies defaults before the handler runs', async () => {
    const r = await invokeTool(echo, { text: 'ab' }, ctx());
    expect(r.data).toEqual({ text: 'ab' });
  });

  it('turns schema-invalid arguments into tool.invalid_arguments naming the fields', async () => {
    const err = await invokeTool(echo, { text: 3, times: 0 }, ctx()).catch((e: unknown) => e as GenAutoMLError);
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect((err as GenAutoMLError).code).toBe('tool.invalid_arguments');
    expect((err as GenAutoMLError).message).toMatch(/text: .*; times: /);
    expect((err as GenAutoMLError).details?.issues).toHaveLength(2);
  });

  it('reports a result that breaks the output schema as tool.bad_output', async () => {
    const liar = defineTool({ ...echo, name: 'liar', handler: async () => ({ data: { text: 5 as unknown as string }, summary: '' }) });
    await expect(invokeTool(liar, { text: 'x' }, ctx())).rejects.toMatchObject({ code: 'tool.bad_output' });
  });

  it('wraps unexpected exceptions as internal.unexpected and keeps GenAutoMLErrors as they are', async () => {
    const crash = defineTool({ ...echo, name: 'crash', handler: async () => { throw new TypeError('boom'); } });
    await expect(invokeTool(crash, { text: 'x' }, ctx())).rejects.toMatchObject({ code: 'internal.unexpected', message: 'boom' });
    const known = defineTool({ ...echo, name: 'known', handler: async () => { throw new GenAutoMLError('dataset.not_found', 'gone', { hint: 'h' }); } });
    await expect(invokeTool(known, { text: 'x' }, ctx())).rejects.toMatchObject({ code: 'dataset.not_found', hint: 'h' });
  });

  it('reports tool.cancelled when the signal was aborted', async () => {
    const controller = new AbortController();
    const slow = defineTool({
      ...echo,
      name: 'slow',
      handler: async (_args, c) => {
        controller.abort();
        throw c.signal.reason ?? new Error('aborted');
      },
    });
    await expect(invokeTool(slow, { text: 'x' }, ctx(controller.signal))).rejects.toMatchObject({ code: 'tool.cancelled' });
    await expect(invokeTool(echo, { text: 'x' }, ctx(controller.signal))).rejects.toMatchObject({ code: 'tool.cancelled' });
  });
});

describe('list_datasets helpers', () => {
  it('formats grid intervals in the largest exact unit', () => {
    expect(formatInterval(3_600_000)).toBe('1h');
    expect(formatInterval(600_000)).toBe('10min');
    expect(formatInterval(5_400_000)).toBe('90min');
    expect(formatInterval(86_400_000)).toBe('1d');
    expect(formatInterval(1500)).toBe('1500ms');
  });
});
