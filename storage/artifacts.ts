/**
 * Content-addressed blobs in the database (so workers on other hosts need only the database URL)
 * with a local file cache by hash (so the runner can memory-map prepared arrays).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { rethrowOsError, writeFileDurably } from '../engine/ops/os-errors.js';
import { GenAutoMLError } from '../engine/errors.js';
import type { Database } from './db.js';

export interface ArtifactLink {
  ownerKind: string;
  ownerId: string;
  name: string;
  sha256: string;
  mime: string;
}

export interface ArtifactStore {
  put(bytes: Uint8Array, mime: string): Promise<string>;
  get(sha256: string): Promise<Buffer>;
  /** A local file with the artefact's bytes (written to the cache on first use). */
  localPath(sha256: string): Promise<string>;
  link(link: ArtifactLink): Promise<void>;
  links(ownerKind: string, ownerId: string): Promise<ArtifactLink[]>;
  findLink(ownerKind: string, ownerId: string, name: string): Promise<ArtifactLink | undefined>;
  /** Every link with its artefact's size, newest first, one page (the MCP resource listing). */
  listLinks(offset: number, limit: number): Promise<(ArtifactLink & { size: number })[]>;
  /** The stored MIME type of an artefact, or undefined when it is not stored. */
  mime(sha256: string): Promise<string | undefined>;
  /** The same store writing through a transaction, so blobs and the rows naming them commit together. */
  within(tx: Pick<Database, 'executeSql'>): ArtifactStore;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// node-postgres hands bytea back as a Buffer, PGlite as a Uint8Array: both are Uint8Arrays.
const bytesRowSchema = z.object({ bytes: z.instanceof(Uint8Array) });
const linkRowSchema = z.object({ owner_kind: z.string(), owner_id: z.string(), name: z.string(), sha256: z.string(), mime: z.string() });
const sizedLinkRowSchema = linkRowSchema.extend({ size: z.coerce.number().int() });
const linkOf = (row: z.infer<typeof linkRowSchema>): ArtifactLink => ({ ownerKind: row.owner_kind, ownerId: row.owner_id, name: row.name, sha256: row.sha256, mime: row.mime });

export function createArtifactStore(db: Pick<Database, 'executeSql'>, cacheDir: string): ArtifactStore {
  const cachePath = (sha: string): string => path.join(cacheDir, sha.slice(0, 2), sha);

  const load = async (sha: string): Promise<Buffer> => {
    const r = await db.executeSql('SELECT bytes FROM artifacts WHERE sha256 = $1', [sha]);
    const row = r.rows[0] ? bytesRowSchema.parse(r.rows[0]) : undefined;
    if (!row) throw new GenAutoMLError('storage.artifact_missing', `Artefact ${sha} is not stored.`, { hint: 'The object referring to it is damaged; load or generate it again.' });
    return Buffer.from(row.bytes);
  };

  const get = async (sha: string): Promise<Buffer> => {
    const file = cachePath(sha);
    if (fs.existsSync(file)) return fs.readFileSync(file);
    const buf = await load(sha);
    try {
      writeCache(file, buf);
    } catch {
      // The cache only saves a database read: a full disk must not stop a read. localPath, which
      // needs the file, reports it.
    }
    return buf;
  };

  return {
    within: (tx) => createArtifactStore(tx, cacheDir),
    async put(bytes, mime) {
      const sha = sha256Hex(bytes);
      await db.executeSql(
        'INSERT INTO artifacts (sha256, bytes, size, mime) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING',
        [sha, bytes, bytes.byteLength, mime],
      );
      return sha;
    },
    get,
    async localPath(sha) {
      const file = cachePath(sha);
      if (!fs.existsSync(file)) writeCache(file, await load(sha));
      return file;
    },
    async link(l) {
      await db.executeSql(
        `INSERT INTO artifact_links (owner_kind, owner_id, name, sha256, mime) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (owner_kind, owner_id, name) DO UPDATE SET sha256 = EXCLUDED.sha256, mime = EXCLUDED.mime`,
        [l.ownerKind, l.ownerId, l.name, l.sha256, l.mime],
      );
    },
    async links(ownerKind, ownerId) {
      const r = await db.executeSql(
        'SELECT owner_kind, owner_id, name, sha256, mime FROM artifact_links WHERE owner_kind = $1 AND owner_id = $2 ORDER BY name',
        [ownerKind, ownerId],
      );
      return r.rows.map((raw) => linkOf(linkRowSchema.parse(raw)));
    },
    async findLink(ownerKind, ownerId, name) {
      const r = await db.executeSql(
        'SELECT sha256, mime FROM artifact_links WHERE owner_kind = $1 AND owner_id = $2 AND name = $3',
        [ownerKind, ownerId, name],
      );
      const row = r.rows[0] ? linkRowSchema.pick({ sha256: true, mime: true }).parse(r.rows[0]) : undefined;
      return row ? { ownerKind, ownerId, name, sha256: row.sha256, mime: row.mime } : undefined;
    },
    async listLinks(offset, limit) {
      const r = await db.executeSql(
        `SELECT l.owner_kind, l.owner_id, l.name, l.sha256, l.mime, a.size
           FROM artifact_links l JOIN artifacts a ON a.sha256 = l.sha256
          ORDER BY l.created_at DESC, l.sha256, l.name LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      return r.rows.map((raw) => {
        const row = sizedLinkRowSchema.parse(raw);
        return { ...linkOf(row), size: row.size };
      });
    },
    async mime(sha) {
      const r = await db.executeSql('SELECT mime FROM artifacts WHERE sha256 = $1', [sha]);
      return r.rows[0] ? z.object({ mime: z.string() }).parse(r.rows[0]).mime : undefined;
    },
  };
}

/** Write-then-rename so a reader never sees a half-written cache file; a full disk is storage.disk_full. */
function writeCache(file: string, bytes: Buffer): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    rethrowOsError(err, 'store an artefact', path.dirname(file));
  }
  writeFileDurably(file, bytes, 'store an artefact');
}
