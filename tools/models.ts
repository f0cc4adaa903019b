/** The model registry tools: list, read, rename, delete. Baselines are listed and read-only. */
import { z } from 'zod';
import { candidateOf } from '../engine/models/registry.js';
import type { ModelRecord } from '../storage/models.js';
import { defineTool } from './define.js';
import { cursorSchema, page } from './paging.js';

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

/** Characters of a model's source in get_model's result; larger files are read as the resource. */
const CODE_MAX = 12_000;
/** Characters of a model's request shown in a list. */
const REQUEST_MAX = 200;

export const listModels = defineTool({
  name: 'list_models',
  title: 'List models',
  description: 'Lists the search candidates: the baseline zoo and every generated or user model, with their SEARCH_SPACE.',
  input: z.object({
    kind: z.enum(['baseline', 'generated', 'user']).optional().describe('Only this kind.'),
    limit: z.number().int().min(1).max(100).default(30).describe('Models per page (default 30).'),
    cursor: cursorSchema,
  }),
  output: z.object({ models: z.array(modelRow), total: z.number().int(), nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last.') }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'models', positional: [] },
  async handler(args, ctx) {
    const all = await ctx.app.models.list(args.kind);
    const { items, offset, nextCursor } = page(`models:${args.kind ?? 'all'}`, all, args.cursor, args.limit);
    // The request a model was generated from can run to pages; get_model has it whole.
    const models = items.map(rowOf).map((m) => ({ ...m, request: m.request && m.request.length > REQUEST_MAX ? `${m.request.slice(0, REQUEST_MAX - 1)}…` : m.request }));
    const by = (k: string): string[] => models.filter((m) => m.kind === k).map((m) => m.name);
    const summary = [
      `${all.length} models${models.length < all.length ? ` (showing ${offset + 1}–${offset + models.length}${nextCursor ? '; more with nextCursor' : ''})` : ''}.`,
      by('baseline').length ? `Baselines: ${by('baseline').join(', ')}.` : '',
      by('generated').length ? `Generated: ${by('generated').join(', ')}.` : '',
      by('user').length ? `User: ${by('user').join(', ')}.` : '',
    ].filter(Boolean).join('\n');
    return { data: { models, total: all.length, nextCursor }, summary };
  },
});

function safeSpace(read: () => Record<string, unknown[]> | null): Record<string, unknown[]> | null {
  try {
    return read();
  } catch {
    return null;
  }
}

function lineageText(l: Record<string, unknown> | null): string {
  if (!l) return '';
  const parents = Array.isArray(l.parents) && l.parents.length ? ` from ${l.parents.join(' + ')}` : '';
  return ` — ${typeof l.operation === 'string' ? l.operation : 'proposed'}${parents} in round ${String(l.round)} of study ${String(l.study)}`;
}

export const getModel = defineTool({
  name: 'get_model',
  title: 'Read a model',
  description: 'Returns a stored model’s Python source and its record (request, provider, validation report).',
  input: z.object({ model: z.string().min(1).describe('Model id or name.') }),
  output: modelRow.extend({
    code: z.string().describe(`The source, up to ${CODE_MAX} characters; the whole file is the model's resource (uri).`),
    codeTruncated: z.boolean(),
    uri: z.string(),
    report: z.record(z.string(), z.unknown()).nullable(),
    iterations: z.number().int().nullable(),
    lineage: z.record(z.string(), z.unknown()).nullable().describe('For a model an architect round proposed: its parents, study, round and request.'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'model', positional: ['model'] },
  async handler(args, ctx) {
    const m = await ctx.app.models.get(args.model);
    return {
      data: {
        ...rowOf(m),
        code: m.code.length > CODE_MAX ? m.code.slice(0, CODE_MAX) : m.code,
        codeTruncated: m.code.length > CODE_MAX,
        uri: `genautoml://models/${m.id}`,
        report: m.report,
        iterations: m.iterations,
        lineage: m.lineage,
      },
      summary: `${m.name} (${m.kind}${m.provider ? `, ${m.provider}` : ''})${lineageText(m.lineage)}`,
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
