/**
 * Exports of trained trials: the study's winner is exported at finalisation and its files stored
 * as artefacts; any other complete trial can be exported on request the same way.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withOsErrors } from '../ops/os-errors.js';
import type { App } from '../app.js';
import { preparedFiles } from '../datasets/store.js';
import { GenAutoMLError } from '../errors.js';
import { studyResultOf, type EnsembleInfo } from './result.js';
import { trainedTrial, trialThreadsNow, type StudyFiles } from './trained.js';
import type { EnsembleSpec, ExportResult } from '../runner/types.js';
import type { Params } from './space.js';
import { studySpecSchema } from './spec.js';

export interface ExportedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface ExportOutcome {
  study: string;
  /** null for the ensemble, which is several trials. */
  trial: number | null;
  arch: string;
  dir: string;
  files: ExportedFile[];
  roundTripOk: boolean;
  errors: string[];
}

export function mimeOf(name: string): string {
  if (name.endsWith('.py')) return 'text/x-python';
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.md')) return 'text/markdown';
  if (name.endsWith('.onnx')) return 'application/onnx';
  return 'application/octet-stream';
}

/**
 * Writes the export of a study's trial (default: its selected model, which may be the ensemble)
 * into `outDir` (default under $GENAUTOML_HOME/exports).
 */
export async function exportTrial(app: App, studyId: string, options: { trial?: number; outDir?: string; admission?: 'call' | 'job' } = {}): Promise<ExportOutcome> {
  const study = await app.studies.get(studyId);
  const spec = studySpecSchema.parse(study.spec);
  const result = studyResultOf(study);
  const winner = options.trial === undefined ? result?.best : undefined;
  if (options.trial === undefined && !winner) {
    throw new GenAutoMLError('export.no_winner', `Study ${studyId} is ${study.state} and has no selected model yet.`, { hint: 'Wait for it to finish, or name a complete trial with trial=N.' });
  }
  if (winner?.ensemble) {
    const outDir = path.resolve(options.outDir ?? path.join(app.config.home, 'exports', studyId, 'ensemble'));
    if (result?.export?.files.length) return copyStored(app, studyId, { trial: null, arch: winner.arch }, outDir, result.export);
    const files = await preparedFiles(app, study.datasetId);
    const res = await exportEnsembleAndStore(app, { studyId, spec, files }, winner.ensemble, outDir, 'export-ensemble', { validation: winner.valLoss, study: studyId, arch: winner.arch }, options.admission);
    return { study: studyId, trial: null, arch: winner.arch, ...res };
  }
  const number = options.trial ?? winner?.trial;
  if (number === undefined || number === null) throw new GenAutoMLError('export.no_winner', `Study ${studyId} has no selected trial.`, { hint: 'Name a complete trial with trial=N.' });
  const trial = await app.studies.trial(studyId, number);
  if (!trial || (trial.state !== 'complete' && trial.state !== 'pruned')) {
    throw new GenAutoMLError('export.trial_not_complete', `Trial ${number} of study ${studyId} did not complete.`, { hint: 'search_status lists the complete trials.' });
  }
  const arch = String(trial.params.arch);
  const outDir = path.resolve(options.outDir ?? path.join(app.config.home, 'exports', studyId, `${arch}-trial${number}`));

  // The winner's files are already stored: copy them out instead of exporting again.
  if (result && result.best.trial === number && result.export?.files.length) return copyStored(app, studyId, { trial: number, arch }, outDir, result.export);

  const files = await preparedFiles(app, study.datasetId);
  const res = await exportAndStore(app, { studyId, spec, files }, number, trial.params as Params, outDir, `export-trial${number}`, {
    validation: trial.value,
    study: studyId,
    trial: number,
    arch,
  }, options.admission);
  return { study: studyId, trial: number, arch, ...res };
}

async function copyStored(
  app: App,
  studyId: string,
  who: { trial: number | null; arch: string },
  outDir: string,
  stored: StoredExport,
): Promise<ExportOutcome> {
  await withOsErrors('write the export', outDir, async () => {
    await mkdir(outDir, { recursive: true });
    for (const f of stored.files) await writeFile(path.join(outDir, f.name), await app.artifacts.get(f.sha256));
  });
  return { study: studyId, ...who, dir: outDir, files: stored.files, roundTripOk: stored.roundTripOk, errors: stored.errors };
}

/** An export as stored: its directory, the files (as artefacts) and the round trip's verdict. */
export interface StoredExport {
  dir: string;
  files: ExportedFile[];
  roundTripOk: boolean;
  errors: string[];
}

/**
 * Exports one trained trial into a fresh `outDir` (whatever an interrupted attempt left there is
 * removed) and stores every file as an artefact of the study under `linkPrefix/`.
 */
export async function exportAndStore(
  app: App,
  s: StudyFiles,
  number: number,
  params: Params,
  outDir: string,
  linkPrefix: string,
  metrics: Record<string, unknown>,
  admission: 'call' | 'job' = 'job',
): Promise<StoredExport> {
  const trained = await trainedTrial(app, s, number, params);
  await withOsErrors('clear the export directory', outDir, () => rm(outDir, { recursive: true, force: true }));
  const res = await app.runner.export({ ...trained, outDir, data: { name: s.spec.datasetName, meta: s.files.meta }, metrics }, { threads: trialThreadsNow(app), admission });
  return storeExport(app, s.studyId, linkPrefix, res);
}

/** The members of an ensemble row as the runner builds them: each trial's model and weights. */
export async function ensembleSpecOf(app: App, s: StudyFiles, info: EnsembleInfo): Promise<EnsembleSpec> {
  const members = await Promise.all(
    info.members.map(async (m) => {
      const trial = await app.studies.trial(s.studyId, m.trial);
      if (!trial) throw new GenAutoMLError('search.weights_missing', `Ensemble member trial ${m.trial} of study ${s.studyId} is not stored.`);
      return trainedTrial(app, s, m.trial, trial.params as Params);
    }),
  );
  return { members, weights: info.members.map((m) => m.weight) };
}

/** Exports an ensemble row as one traced module into a fresh `outDir`, stored like a single export. */
export async function exportEnsembleAndStore(
  app: App,
  s: StudyFiles,
  info: EnsembleInfo,
  outDir: string,
  linkPrefix: string,
  metrics: Record<string, unknown>,
  admission: 'call' | 'job' = 'job',
): Promise<StoredExport> {
  const ensemble = await ensembleSpecOf(app, s, info);
  await withOsErrors('clear the export directory', outDir, () => rm(outDir, { recursive: true, force: true }));
  const res = await app.runner.exportEnsemble(
    { ...ensemble, outDir, data: { name: s.spec.datasetName, meta: s.files.meta }, metrics, describe: info.members.map((m) => ({ arch: m.arch, trial: m.trial })) },
    { threads: trialThreadsNow(app), admission },
  );
  return storeExport(app, s.studyId, linkPrefix, res);
}

/** Stores every file of an export as an artefact of the study under `linkPrefix/`. */
async function storeExport(app: App, studyId: string, linkPrefix: string, res: ExportResult): Promise<StoredExport> {
  const out: ExportedFile[] = [];
  for (const f of res.files) {
    const bytes = await readFile(path.join(res.dir, f.name));
    const sha = await app.artifacts.put(bytes, mimeOf(f.name));
    await app.artifacts.link({ ownerKind: 'study', ownerId: studyId, name: `${linkPrefix}/${f.name}`, sha256: sha, mime: mimeOf(f.name) });
    out.push({ name: f.name, bytes: f.bytes, sha256: sha });
  }
  return { dir: res.dir, files: out, roundTripOk: res.roundTrip.ok, errors: res.errors };
}
