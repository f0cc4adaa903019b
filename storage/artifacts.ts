/**
 * Content-addressed blobs in the database (so workers on other hosts need only the database URL)
 * with a local file cache by hash (so the runner can memory-map prepared arrays).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
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
  /** The same store writing through a transaction, so blobs and the rows naming them commit together. */
  within(tx: Pick<Database, 'executeSql'>): ArtifactStore;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function createArtifactStore(db: Pick<Database, 'executeSql'>, cacheDir: string): ArtifactStore {
  const cachePath = (sha: string): string => path.join(cacheDir, sha.slice(0, 2), sha);

  const get = async (sha: string): Promise<Buffer> => {
    const file = cachePath(sha);
    if (fs.existsSync(file)) return fs.readFileSync(file);
    const r = await db.executeSql<{ bytes: Uint8Array }>('SELECT bytes FROM artifacts WHERE sha256 = $1', [sha]);
    const row = r.rows[0];
    if (!row) throw new GenAutoMLError('storage.artifact_missing', `Artefact ${sha} is not stored.`, { hint: 'The object referring to it is damaged; load or generate it again.' });
    const buf = Buffer.from(row.bytes);
    writeCache(file, buf);
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
      if (!fs.existsSync(file)) await get(sha);
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
      const r = await db.executeSql<{ owner_kind: string; owner_id: string; name: string; sha256: string; mime: string }>(
        'SELECT owner_kind, owner_id, name, sha256, mime FROM artifact_links WHERE owner_kind = $1 AND owner_id = $2 ORDER BY name',
        [ownerKind, ownerId],
      );
      return r.rows.map((row) => ({ ownerKind: row.owner_kind, ownerId: row.owner_id, name: row.name, sha256: row.sha256, mime: row.mime }));
    },
    async findLink(ownerKind, ownerId, name) {
      const r = await db.executeSql<{ sha256: string; mime: string }>(
        'SELECT sha256, mime FROM artifact_links WHERE owner_kind = $1 AND owner_id = $2 AND name = $3',
        [ownerKind, ownerId, name],
      );
      const row = r.rows[0];
      return row ? { ownerKind, ownerId, name, sha256: row.sha256, mime: row.mime } : undefined;
    },
  };
}

/** Write-then-rename so a reader never sees a half-written cache file. */
function writeCache(file: string, bytes: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
