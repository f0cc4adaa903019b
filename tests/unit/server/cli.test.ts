import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cliFields, kebab, parseValue, splitList } from '../../../server/cli/fields.js';
import { buildProgram } from '../../../server/cli/main.js';
import { renderHuman, renderTable } from '../../../server/cli/output.js';
import { addToolCommand } from '../../../server/cli/tool-command.js';
import { defineTool } from '../../../tools/define.js';
import { TOOLS } from '../../../tools/index.js';

const kitchen = defineTool({
  name: 'kitchen_sink',
  title: 'Kitchen sink',
  description: 'Every kind of field, for the CLI generator tests.',
  input: z.object({
    datasetId: z.string().describe('The dataset.'),
    horizon: z.number().int().min(1).default(96).describe('Steps ahead.'),
    lr: z.number().optional(),
    revin: z.boolean().default(true),
    task: z.enum(['forecast', 'anomaly']).optional(),
    columns: z.array(z.string()).optional(),
    lookbacks: z.array(z.number().int()).optional(),
    space: z.record(z.string(), z.unknown()).optional(),
    url: z.url().optional(),
  }),
  output: z.object({ ok: z.boolean() }),
  annotations: {},
  async handler() {
    return { data: { ok: true }, summary: 'ok' };
  },
});

describe('CLI options generated from a tool input schema', () => {
  it('maps every zod kind to a flag, with the first required string positional', () => {
    const fields = Object.fromEntries(cliFields(kitchen).map((f) => [f.name, f]));
    expect(fields.datasetId).toMatchObject({ flag: 'dataset-id', kind: 'string', required: true, positional: true, description: 'The dataset.' });
    expect(fields.horizon).toMatchObject({ flag: 'horizon', kind: 'integer', required: false, defaultValue: 96, description: 'Steps ahead.' });
    expect(fields.lr).toMatchObject({ kind: 'number', required: false });
    expect(fields.revin).toMatchObject({ kind: 'boolean', defaultValue: true });
    expect(fields.task).toMatchObject({ kind: 'enum', choices: ['forecast', 'anomaly'] });
    expect(fields.columns).toMatchObject({ kind: 'array', element: 'string' });
    expect(fields.lookbacks).toMatchObject({ kind: 'array', element: 'integer' });
    expect(fields.space).toMatchObject({ kind: 'json' });
    expect(fields.url).toMatchObject({ kind: 'string' });
  });

  it('honours a declared positional list and rejects reserved or unknown names', () => {
    expect(cliFields({ ...kitchen, cli: { positional: [] } }).some((f) => f.positional)).toBe(false);
    expect(cliFields({ ...kitchen, cli: { positional: ['task', 'columns'] } }).filter((f) => f.positional).map((f) => f.name)).toEqual(['task', 'columns']);
    expect(() => cliFields({ ...kitchen, cli: { positional: ['nope'] } })).toThrow(/unknown field/);
    expect(() => cliFields({ ...kitchen, input: z.object({ json: z.boolean() }) })).toThrow(/reserved/);
  });

  it('parses values by kind', () => {
    expect(kebab('datasetId')).toBe('dataset-id');
    expect(kebab('max_trials')).toBe('max-trials');
    expect(parseValue('integer', '12')).toBe(12);
    expect(() => parseValue('integer', '1.5')).toThrow(/integer/);
    expect(() => parseValue('number', 'x')).toThrow(/number/);
    expect(parseValue('json', '{"a":1}')).toEqual({ a: 1 });
    expect(parseValue('json', 'true')).toBe(true);
    expect(parseValue('json', '0.7/0.1/0.2')).toBe('0.7/0.1/0.2');
    expect(splitList('string', 'a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(splitList('json', '[1,2]')).toEqual(['[1,2]']);
  });

  it('lets a tool own --out, which then also receives the files', () => {
    const exporter = { ...kitchen, name: 'exporter', input: z.object({ out: z.string().optional().describe('Export directory.') }) };
    const cmd = addToolCommand(new Command('genautoml'), exporter);
    const outs = cmd.options.filter((o) => o.long === '--out');
    expect(outs).toHaveLength(1);
    expect(outs[0]?.description).toMatch(/Export directory/);
  });

  it('builds a command with the flags, --json, --out and the tool name as an alias', () => {
    const program = new Command('genautoml');
    const cmd = addToolCommand(program, { ...kitchen, cli: { name: 'sink' } });
    const flags = cmd.options.map((o) => o.long);
    expect(flags).toEqual(
      expect.arrayContaining(['--dataset-id', '--horizon', '--lr', '--revin', '--no-revin', '--task', '--columns', '--lookbacks', '--space', '--json', '--out']),
    );
    expect(cmd.aliases()).toEqual(['kitchen_sink', 'kitchen-sink']);
    expect(cmd.registeredArguments.map((a) => a.name())).toEqual(['dataset-id']);
  });

  it('registers the built-in commands and one command per tool', () => {
    const names = buildProgram(TOOLS).commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['mcp', 'serve', 'worker', 'demo', 'list_datasets', 'info']));
  });

  it('refuses a tool whose CLI name shadows a built-in command', () => {
    expect(() => buildProgram([{ ...kitchen, cli: { name: 'serve' } }])).toThrow(/built-in/);
  });
});

describe('CLI output', () => {
  it('renders records as an aligned table', () => {
    const t = renderTable([
      { id: 'ds_1', rows: 10, columns: ['a', 'b'] },
      { id: 'ds_22', rows: 1.23456789, extra: { x: 1 } },
    ]);
    expect(t.split('\n')).toEqual([
      'id     rows     columns  extra',
      '-----  -------  -------  -------',
      'ds_1   10       a, b',
      'ds_22  1.23457           {"x":1}',
    ]);
  });

  it('prints the summary followed by a table per array of records', () => {
    const text = renderHuman({ data: { items: [{ a: 1 }], total: 1 }, summary: 'One item.' });
    expect(text).toBe('One item.\n\nitems:\na\n-\n1');
  });
});
