/**
 * Stored objects as MCP resources, so a client can open what a tool result links to, fetched on
 * demand instead of flooding a tool result: datasets (metadata and summary as JSON), models (their
 * Python source), studies (status, every trial, the leaderboard, the full result with forecasts)
 * and artefacts (plots, exports: raw bytes). resources/list pages with cursors over all of them.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import { formatError, GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';
import type * as StudyService from '../../engine/search/service.js';
import { decodeCursor, encodeCursor } from '../../tools/paging.js';

/** JSON-RPC code for a resource that does not exist (MCP specification). */
export const RESOURCE_NOT_FOUND = -32002;
/** Resources per resources/list page. */
const PAGE = 100;

export const datasetUri = (id: string): string => `genautoml://datasets/${encodeURIComponent(id)}`;
export const modelUri = (id: string): string => `genautoml://models/${encodeURIComponent(id)}`;
export const artifactUri = (sha256: string): string => `genautoml://artifacts/${sha256}`;
export const studyUri = (id: string, part?: StudyPart): string => `genautoml://studies/${encodeURIComponent(id)}${part ? `/${part}` : ''}`;

export type StudyPart = 'trials' | 'leaderboard' | 'result';

const TEMPLATES = [
  { uriTemplate: 'genautoml://datasets/{id}', name: 'dataset', title: 'Dataset', description: 'A stored dataset: source, prepared-array metadata and summary, as JSON.', mimeType: 'application/json' },
  { uriTemplate: 'genautoml://models/{id}', name: 'model', title: 'Model', description: 'The PyTorch source of a stored model (id or name).', mimeType: 'text/x-python' },
  { uriTemplate: 'genautoml://studies/{id}', name: 'study', title: 'Study', description: 'A study’s state, trial counts, best trial and ETA, as JSON; subscribe to be told as it progresses.', mimeType: 'application/json' },
  { uriTemplate: 'genautoml://studies/{id}/trials', name: 'study-trials', title: 'Study trials', description: 'Every trial of a study: parameters, state, validation loss per epoch, metrics, errors.', mimeType: 'application/json' },
  { uriTemplate: 'genautoml://studies/{id}/leaderboard', name: 'study-leaderboard', title: 'Study leaderboard', description: 'The finished study’s leaderboard (test metrics of the best trial per architecture).', mimeType: 'application/json' },
  { uriTemplate: 'genautoml://studies/{id}/result', name: 'study-result', title: 'Study result', description: 'The finished study’s full result, forecasts included.', mimeType: 'application/json' },
  { uriTemplate: 'genautoml://artifacts/{sha256}', name: 'artifact', title: 'Artefact', description: 'A stored blob (plot, export, prepared array) by its sha256.' },
];

type Lister = (app: App, offset: number, limit: number) => Promise<Resource[]>;

/** The listed kinds, in resources/list order; each pages on its own, the cursor names kind and offset. */
const LISTERS: [string, Lister][] = [
  [
    'datasets',
    async (app, offset, limit) =>
      (await app.datasets.list()).slice(offset, offset + limit).map((d) => ({
        uri: datasetUri(d.id),
        name: d.name,
        title: `Dataset ${d.name}`,
        description: `${d.meta.rows} rows × ${d.meta.columns.length} columns`,
        mimeType: 'application/json',
      })),
  ],
  [
    'models',
    async (app, offset, limit) =>
      (await app.models.list()).slice(offset, offset + limit).map((m) => ({
        uri: modelUri(m.id),
        name: m.name,
        title: `Model ${m.name}`,
        description: `${m.kind} model`,
        mimeType: 'text/x-python',
      })),
  ],
  [
    'studies',
    async (app, offset, limit) =>
      (await app.studies.list(offset + limit)).slice(offset).map((s) => ({
        uri: studyUri(s.id),
        name: s.id,
        title: `Study ${s.id}`,
        description: `${s.state}, started ${s.createdAt.toISOString()}`,
        mimeType: 'application/json',
      })),
  ],
  [
    'artifacts',
    async (app, offset, limit) =>
      (await app.artifacts.listLinks(offset, limit)).map((a) => ({
        uri: artifactUri(a.sha256),
        name: a.name,
        description: `${a.ownerKind} ${a.ownerId}`,
        mimeType: a.mime,
        size: a.size,
      })),
  ],
];

export function registerResources(server: Server, getApp: () => Promise<App>): void {
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: TEMPLATES }));

  server.setRequestHandler(ListResourcesRequestSchema, (request) =>
    guard(async () => {
      const app = await getApp();
      const { kind, offset } = parseListCursor(request.params?.cursor);
      const resources: Resource[] = [];
      let k = kind;
      let o = offset;
      while (k < LISTERS.length && resources.length < PAGE) {
        const [, list] = LISTERS[k] as [string, Lister];
        const want = PAGE - resources.length;
        // One more than needed tells whether this kind has more after the page.
        const got = await list(app, o, want + 1);
        resources.push(...got.slice(0, want));
        if (got.length > want) return { resources, nextCursor: encodeCursor(`resources:${k}`, o + want) };
        k += 1;
        o = 0;
      }
      return k < LISTERS.length ? { resources, nextCursor: encodeCursor(`resources:${k}`, 0) } : { resources };
    }),
  );

  server.setRequestHandler(ReadResourceRequestSchema, (request) => guard(async () => readResource(await getApp(), request.params.uri)));
}

function parseListCursor(cursor: string | undefined): { kind: number; offset: number } {
  if (cursor === undefined) return { kind: 0, offset: 0 };
  for (let k = 0; k < LISTERS.length; k++) {
    try {
      return { kind: k, offset: decodeCursor(`resources:${k}`, cursor) };
    } catch {
      // Not this kind's cursor; try the next.
    }
  }
  throw new McpError(-32602, '[tool.bad_cursor] The cursor is not one resources/list handed out. — Pass nextCursor unchanged, or omit it.');
}

const json = (uri: string, body: unknown): ReadResourceResult => ({ contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] });

/** Reads one genautoml:// URI; any other URI is not found. */
export async function readResource(app: App, uri: string): Promise<ReadResourceResult> {
  const m = /^genautoml:\/\/(datasets|models|studies|artifacts)\/([^/?#]+)(?:\/(trials|leaderboard|result))?$/.exec(uri);
  if (!m) throw new GenAutoMLError('resource.not_found', `No resource at ${uri}.`, { hint: 'Use a URI from a tool result, resources/list or resources/templates/list.' });
  const [, kind, rawId = '', partText] = m;
  const part: StudyPart | undefined = partText === 'trials' || partText === 'leaderboard' || partText === 'result' ? partText : undefined;
  const id = decodeURIComponent(rawId);
  if (part !== undefined && kind !== 'studies') throw new GenAutoMLError('resource.not_found', `No resource at ${uri}.`, { hint: 'Only studies have sub-resources (trials, leaderboard, result).' });
  switch (kind) {
    case 'datasets': {
      const d = await app.datasets.get(id);
      return json(uri, { id: d.id, name: d.name, source: d.source, meta: d.meta, summary: d.summary, createdAt: d.createdAt.toISOString() });
    }
    case 'models': {
      const model = await app.models.get(id);
      return { contents: [{ uri, mimeType: 'text/x-python', text: model.code }] };
    }
    case 'studies':
      return json(uri, await studyPart(app, id, part));
    default: {
      const sha = id.toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(sha)) {
        throw new GenAutoMLError('resource.bad_uri', `"${sha}" is not a sha256.`, { hint: 'Artefact URIs end with 64 hexadecimal digits.' });
      }
      const mime = await artifactMime(app, sha);
      const bytes = await app.artifacts.get(sha);
      return { contents: [{ uri, mimeType: mime, blob: bytes.toString('base64') }] };
    }
  }
}

async function studyPart(app: App, id: string, part: StudyPart | undefined): Promise<unknown> {
  if (part === undefined) {
    const { result: _result, ...status } = await (await studyService()).studyStatus(app, id);
    return { ...status, resources: { trials: studyUri(id, 'trials'), leaderboard: studyUri(id, 'leaderboard'), result: studyUri(id, 'result') } };
  }
  if (part === 'trials') {
    await app.studies.get(id);
    const trials = await app.studies.trials(id);
    return {
      study: id,
      trials: trials.map((t) => ({
        number: t.number,
        state: t.state,
        params: t.params,
        value: t.value,
        intermediate: t.intermediate,
        metrics: t.metrics,
        error: t.error,
        attempts: t.attempts,
        queuedAt: t.queuedAt.toISOString(),
        startedAt: t.startedAt?.toISOString() ?? null,
        finishedAt: t.finishedAt?.toISOString() ?? null,
      })),
    };
  }
  const study = await app.studies.get(id);
  if (!study.result) {
    throw new GenAutoMLError('study.not_done', `Study ${id} is ${study.state}; it has no ${part} yet.`, { hint: `Read ${studyUri(id)} for its progress, or subscribe to it.` });
  }
  if (part === 'result') return study.result;
  const { leaderboard, unranked } = study.result as { leaderboard?: unknown; unranked?: unknown };
  return { study: id, leaderboard: leaderboard ?? [], unranked: unranked ?? [] };
}

async function artifactMime(app: App, sha: string): Promise<string> {
  const mime = await app.artifacts.mime(sha);
  if (mime === undefined) throw new GenAutoMLError('storage.artifact_missing', `Artefact ${sha} is not stored.`, { hint: 'Use a URI from a tool result or resources/list.' });
  return mime;
}

/** Resource handlers answer JSON-RPC errors; not-found gets the specification's code. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof McpError) throw err;
    const e = toGenAutoMLError(err);
    const notFound = e.code.endsWith('.not_found') || e.code === 'storage.artifact_missing';
    throw new McpError(notFound ? RESOURCE_NOT_FOUND : -32603, formatError(e), { code: e.code, hint: e.hint });
  }
}

/** The search service pulls in most of the engine; loaded when a study is first looked at, not at start-up. */
export function studyService(): Promise<typeof StudyService> {
  return import('../../engine/search/service.js');
}
