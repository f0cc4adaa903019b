/**
 * The model registry: the baseline zoo (engine/models/zoo/*.py) and generated or user models,
 * all rows of one table, all candidates of one search. The zoo is synced into the table at
 * start-up by content hash, so editing a baseline file takes effect on the next start.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import { assetPath } from '../paths.js';
import type { ModelRecord } from '../../storage/models.js';
import { newId } from '../../storage/ids.js';
import { extractSearchSpace } from './pyliteral.js';

export interface Candidate {
  name: string;
  kind: ModelRecord['kind'];
  code: string;
  codeSha: string;
  searchSpace: Record<string, unknown[]> | null;
  /** Trainable parameters from its validation report, when it has one. */
  params: number | null;
}

export function codeSha(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

export function zooFiles(dir: string = assetPath('engine/models/zoo')): { name: string; code: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.py') && !f.startsWith('_'))
    .sort()
    .map((f) => ({ name: f.replace(/\.py$/, ''), code: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** Inserts new baselines and updates changed ones; returns the names touched. */
export async function syncZoo(app: Pick<App, 'db' | 'models'>): Promise<string[]> {
  const touched: string[] = [];
  for (const { name, code } of zooFiles()) {
    const sha = codeSha(code);
    const existing = await app.models.find(name);
    if (existing && existing.codeSha === sha) continue;
    if (existing && existing.kind !== 'baseline') {
      throw new GenAutoMLError('model.name_taken', `A ${existing.kind} model is named "${name}", the name of a built-in baseline.`, {
        hint: `Rename it (rename_model ${name} <new name>) so the baseline can be registered.`,
      });
    }
    if (existing) {
      await app.db.executeSql('UPDATE models SET code = $2, code_sha = $3 WHERE id = $1', [existing.id, code, sha]);
    } else {
      try {
        await app.models.insert({ id: newId('md'), name, kind: 'baseline', code, codeSha: sha, request: null, provider: 'zoo', iterations: null, report: null, dims: null });
      } catch (err) {
        // Another process starting at the same moment registered it first.
        if ((err as { code?: string }).code !== 'model.name_taken') throw err;
        continue;
      }
    }
    touched.push(name);
  }
  return touched;
}

/** SEARCH_SPACE of a stored model: from its validation report when it has one, else from the source. */
export function candidateOf(m: ModelRecord): Candidate {
  const report = m.report as { searchSpace?: Record<string, unknown[]> | null; params?: unknown } | null;
  const params = typeof report?.params === 'number' ? report.params : null;
  return { name: m.name, kind: m.kind, code: m.code, codeSha: m.codeSha, searchSpace: report?.searchSpace ?? extractSearchSpace(m.code), params };
}

/** The candidates of a search: the chosen names, or every registered model. */
export async function resolveCandidates(app: Pick<App, 'models'>, names?: readonly string[]): Promise<Candidate[]> {
  if (!names || names.length === 0) return (await app.models.list()).map(candidateOf);
  const out: Candidate[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const m = await app.models.find(n);
    if (m) out.push(candidateOf(m));
    else missing.push(n);
  }
  if (missing.length > 0) {
    throw new GenAutoMLError('search.unknown_candidate', `Unknown candidate model(s): ${missing.join(', ')}.`, { hint: 'list_models shows the registered names.' });
  }
  return out;
}
