/**
 * Stored objects as MCP resources, so a client can open what a tool result links to:
 * datasets (metadata and summary as JSON), models (their Python source) and artefacts (raw bytes).
 */
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import { formatError, GenAutoMLError, toGenAutoMLError } from '../../engine/errors.js';

/** JSON-RPC code for a resource that does not exist (MCP specification). */
const RESOURCE_NOT_FOUND = -32002;
/** Artefacts listed at most; the rest stay reachable through the links tools return. */
const ARTIFACT_LIST_LIMIT = 500;

export const datasetUri = (id: string): string => `genautoml://datasets/${encodeURIComponent(id)}`;
export const modelUri = (id: string): string => `genautoml://models/${encodeURIComponent(id)}`;
export const artifactUri = (sha256: string): string => `genautoml://artifacts/${sha256}`;

export function registerResources(mcp: McpServer, app: App): void {
  mcp.registerResource(
    'dataset',
    new ResourceTemplate('genautoml://datasets/{id}', {
      list: async () => ({
        resources: (await app.datasets.list()).map((d) => ({
          uri: datasetUri(d.id),
          name: d.name,
          title: `Dataset ${d.name}`,
          description: `${d.meta.rows} rows × ${d.meta.columns.length} columns`,
          mimeType: 'application/json',
        })),
      }),
    }),
    { title: 'Dataset', description: 'A stored dataset: source, prepared-array metadata and summary, as JSON.', mimeType: 'application/json' },
    async (uri, vars) =>
      guard(async () => {
        const d = await app.datasets.get(single(vars.id));
        const body = { id: d.id, name: d.name, source: d.source, meta: d.meta, summary: d.summary, createdAt: d.createdAt.toISOString() };
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
      }),
  );

  mcp.registerResource(
    'model',
    new ResourceTemplate('genautoml://models/{id}', {
      list: async () => ({
        resources: (await app.models.list()).map((m) => ({
          uri: modelUri(m.id),
          name: m.name,
          title: `Model ${m.name}`,
          description: `${m.kind} model`,
          mimeType: 'text/x-python',
        })),
      }),
    }),
    { title: 'Model', description: 'The PyTorch source of a stored model (id or name).', mimeType: 'text/x-python' },
    async (uri, vars) =>
      guard(async () => {
        const m = await app.models.get(single(vars.id));
        return { contents: [{ uri: uri.href, mimeType: 'text/x-python', text: m.code }] };
      }),
  );

  mcp.registerResource(
    'artifact',
    new ResourceTemplate('genautoml://artifacts/{sha256}', {
      list: async () => ({
        resources: (await linkedArtifacts(app)).map((a) => ({
          uri: artifactUri(a.sha256),
          name: a.name,
          description: `${a.owner_kind} ${a.owner_id}`,
          mimeType: a.mime,
          size: Number(a.size),
        })),
      }),
    }),
    { title: 'Artefact', description: 'A stored blob (plot, export, prepared array) by its sha256.' },
    async (uri, vars) =>
      guard(async () => {
        const sha = single(vars.sha256).toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(sha)) {
          throw new GenAutoMLError('resource.bad_uri', `"${sha}" is not a sha256.`, { hint: 'Artefact URIs end with 64 hexadecimal digits.' });
        }
        const mime = await artifactMime(app, sha);
        const bytes = await app.artifacts.get(sha);
        return { contents: [{ uri: uri.href, mimeType: mime, blob: bytes.toString('base64') }] };
      }),
  );
}

function single(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v;
  return decodeURIComponent(s ?? '');
}

// The artefact store has no listing or metadata lookup yet; these two queries read its tables
// directly until it does (asked of the storage owner).
async function linkedArtifacts(app: App): Promise<{ sha256: string; name: string; mime: string; size: string; owner_kind: string; owner_id: string }[]> {
  const r = await app.db.executeSql<{ sha256: string; name: string; mime: string; size: string; owner_kind: string; owner_id: string }>(
    `SELECT l.sha256, l.name, l.mime, a.size, l.owner_kind, l.owner_id
       FROM artifact_links l JOIN artifacts a ON a.sha256 = l.sha256
      ORDER BY l.created_at DESC LIMIT ${ARTIFACT_LIST_LIMIT}`,
  );
  return r.rows;
}

async function artifactMime(app: App, sha: string): Promise<string> {
  const r = await app.db.executeSql<{ mime: string }>('SELECT mime FROM artifacts WHERE sha256 = $1', [sha]);
  const row = r.rows[0];
  if (!row) throw new GenAutoMLError('storage.artifact_missing', `Artefact ${sha} is not stored.`, { hint: 'Use a URI from a tool result or resources/list.' });
  return row.mime;
}

/** Resource reads answer JSON-RPC errors; not-found gets the specification's code. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = toGenAutoMLError(err);
    const notFound = e.code.endsWith('.not_found') || e.code === 'storage.artifact_missing';
    throw new McpError(notFound ? RESOURCE_NOT_FOUND : -32603, formatError(e), { code: e.code, hint: e.hint });
  }
}
