/**
 * Argument completion (completion/complete): dataset, model and study ids for prompt arguments
 * and resource-template variables, matched on a prefix of the id or the name. An argument or a
 * reference we know nothing about completes to nothing, as the specification asks.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CompleteRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import { guard } from './resources.js';

/** The protocol's cap on values per completion. */
const MAX_VALUES = 100;

type Kind = 'dataset' | 'model' | 'study';

/** Which kind of id an argument of a prompt or a template variable of a resource takes. */
function kindOf(ref: { type: string; name?: string; uri?: string }, argument: string): Kind | null {
  if (argument === 'dataset' || argument === 'model' || argument === 'study') return argument;
  if (ref.type === 'ref/resource' && argument === 'id') {
    const m = /^genautoml:\/\/(datasets|models|studies)\//.exec(ref.uri ?? '');
    if (m) return m[1] === 'datasets' ? 'dataset' : m[1] === 'models' ? 'model' : 'study';
  }
  return null;
}

async function candidates(app: App, kind: Kind): Promise<{ id: string; name: string }[]> {
  if (kind === 'dataset') return (await app.datasets.list()).map((d) => ({ id: d.id, name: d.name }));
  // Models are named in tool arguments by name, which is what a person recognises.
  if (kind === 'model') return (await app.models.list()).map((m) => ({ id: m.name, name: m.id }));
  return (await app.studies.list(500)).map((s) => ({ id: s.id, name: s.id }));
}

export function registerCompletions(server: Server, getApp: () => Promise<App>): void {
  server.setRequestHandler(CompleteRequestSchema, (request) =>
    guard(async () => {
      const kind = kindOf(request.params.ref, request.params.argument.name);
      if (!kind) return { completion: { values: [], total: 0, hasMore: false } };
      const prefix = request.params.argument.value.toLowerCase();
      const all = await candidates(await getApp(), kind);
      const matches = all.filter((c) => c.id.toLowerCase().startsWith(prefix) || c.name.toLowerCase().startsWith(prefix)).map((c) => c.id);
      return { completion: { values: matches.slice(0, MAX_VALUES), total: matches.length, hasMore: matches.length > MAX_VALUES } };
    }),
  );
}
