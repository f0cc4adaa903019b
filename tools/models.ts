/** The model registry tools: list, read, rename, delete. Baselines are listed and read-only. */
import { z } from 'zod';
import { candidateOf } from '../engine/models/registry.js';
import type { ModelRecord } from '../storage/models.js';
import { defineTool } from './define.js';

const modelRow = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['baseline', 'generated', 'user']),
  provider: z.string().nullable(),
  request: z.string().nullable(),
  params: z.number().int().nullable(),
  searchSpace: z.record(z.string(), z.array(z.unknown())).nullable(),
  created: z.string(),
});

function rowOf(m: ModelRecord): z.infer<typeof modelRow> {
  return {
    id: m.id,
    name: m.name,
    kind: m.kind,
    provider: m.provider,
    request: m.request,
    params: ((m.report as { params?: number } | null)?.params ?? null) as number | null,
    searchSpace: safeSpace(() => candidateOf(m).searchSpace),
    created: m.createdAt.toISOString(),
  };
}

export const listModels = defineTool({
  name: 'list_models',
  title: 'List models',
  description: 'Lists the search candidates: the baseline zoo and every generated or user model, with their SEARCH_SPACE.',
  input: z.object({ kind: z.enum(['baseline', 'generated', 'user']).optional().describe('Only this kind.') }),
  output: z.object({ models: z.array(modelRow) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'models', positional: [] },
  async handler(args, ctx) {
    const models = (await ctx.app.models.list(args.kind)).map(rowOf);
    const by = (k: string): string[] => models.filter((m) => m.kind === k).map((m) => m.name);
    const summary = [
      `${models.length} models.`,
      by('baseline').length ? `Baselines: ${by('baseline').join(', ')}.` : '',
      by('generated').length ? `Generated: ${by('generated').join(', ')}.` : '',
      by('user').length ? `User: ${by('user').join(', ')}.` : '',
    ].filter(Boolean).join('\n');
    return { data: { models }, summary };
  },
});

function safeSpace(read: () => Record<string, unknown[]> | null): Record<string, unknown[]> | null {
  try {
    return read();
  } catch {
    return null;
  }
}

export const getModel = defineTool({
  name: 'get_model',
  title: 'Read a model',
  description: 'Returns a stored model’s Python source and its record (request, provider, validation report).',
  input: z.object({ model: z.string().min(1).describe('Model id or name.') }),
  output: modelRow.extend({ code: z.string(), report: z.record(z.string(), z.unknown()).nullable(), iterations: z.number().int().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'model', positional: ['model'] },
  async handler(args, ctx) {
    const m = await ctx.app.models.get(args.model);
    return {
      data: {
        ...rowOf(m),
        code: m.code,
        report: m.report,
        iterations: m.iterations,
      },
      summary: `${m.name} (${m.kind}${m.provider ? `, ${m.provider}` : ''})`,
      attachments: [{ name: `${m.name}.py`, text: m.code }],
      links: [{ uri: `genautoml://models/${m.id}`, name: `${m.name}.py`, mimeType: 'text/x-python' }],
    };
  },
});

export const renameModel = defineTool({
  name: 'rename_model',
  title: 'Rename a model',
  description: 'Renames a generated or user model (names are unique). Studies already started keep their snapshot.',
  input: z.object({ model: z.string().min(1).describe('Model id or current name.'), name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/).describe('New name: letters, digits, _ or -.') }),
  output: z.object({ id: z.string(), name: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  cli: { positional: ['model', 'name'] },
  async handler(args, ctx) {
    const m = await ctx.app.models.rename(args.model, args.name);
    return { data: { id: m.id, name: m.name }, summary: `Renamed to ${m.name}.` };
  },
});

export const deleteModel = defineTool({
  name: 'delete_model',
  title: 'Delete a model',
  description: 'Removes a generated or user model from the registry; it is no longer a search candidate. Baselines cannot be deleted.',
  input: z.object({ model: z.string().min(1).describe('Model id or name.') }),
  output: z.object({ deleted: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  cli: { positional: ['model'] },
  async handler(args, ctx) {
    const m = await ctx.app.models.get(args.model);
    await ctx.app.models.delete(m.id);
    return { data: { deleted: m.name }, summary: `Deleted ${m.name}.` };
  },
});
