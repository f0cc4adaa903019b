/** search_status: a study's progress (trials by state, best so far, ETA, top of the leaderboard), or a page of recent studies. */
import { z } from 'zod';
import type { BenchmarkTable } from '../engine/search/benchmark.js';
import { studyResultOf } from '../engine/search/result.js';
import { studyStatus, type StudyStatus } from '../engine/search/service.js';
import { benchmarkRows, leaderboardRowSchema } from './benchmark.js';
import { conflictingArguments, defineTool } from './define.js';
import { cursorSchema, decodeCursor, encodeCursor } from './paging.js';

const counts = z.object({ queued: z.number().int(), running: z.number().int(), complete: z.number().int(), pruned: z.number().int(), failed: z.number().int(), cancelled: z.number().int() });
/** Leaderboard rows in a result; the full board and every trial are resources. */
const TOP = 10;

const studyRow = z.object({
  id: z.string(),
  state: z.string(),
  dataset: z.string(),
  task: z.string(),
  sampler: z.string(),
  pruner: z.string(),
  counts,
  total: z.number().int().nullable(),
  best: z.object({ trial: z.number().int(), arch: z.string(), value: z.number() }).nullable(),
  elapsedS: z.number(),
  etaS: z.number().nullable(),
  uri: z.string().describe('The study as a resource; subscribe to it to be told as it progresses.'),
});

const detail = studyRow.extend({
  recent: z.array(z.object({ number: z.number().int(), arch: z.string(), state: z.string(), value: z.number().nullable(), epochs: z.number().int(), error: z.string().nullable() })),
  result: z
    .object({
      leaderboard: z.array(leaderboardRowSchema).describe(`The top ${TOP} rows; the full board is the leaderboard resource.`),
      leaderboardTotal: z.number().int(),
      export: z.object({ dir: z.string(), files: z.array(z.string()), roundTripOk: z.boolean() }).nullable(),
      charts: z.array(z.string()),
    })
    .nullable(),
  error: z.record(z.string(), z.unknown()).nullable(),
  resources: z.object({ trials: z.string(), leaderboard: z.string(), result: z.string() }),
});

export const searchStatus = defineTool({
  name: 'search_status',
  title: 'Search status',
  description:
    'Shows a study: its state, trials queued/running/complete/pruned/failed, the best trial so far by validation loss, elapsed time and ETA, ' +
    'the latest trials, and once finished the top of the leaderboard; every trial, the full leaderboard and the forecasts are resources. ' +
    'Without an id, pages through the recent studies (newest first).',
  input: z.object({
    study: z.string().min(1).optional().describe('Study id from search; omit to list recent studies.'),
    limit: z.number().int().min(1).max(50).default(10).describe('Studies per page when listing.'),
    cursor: cursorSchema,
  }),
  output: z.object({
    studies: z.array(studyRow),
    study: detail.nullable().describe('The study asked for, in detail; null when listing.'),
    nextCursor: z.string().nullable(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'status', positional: ['study'] },
  async handler(args, ctx) {
    const uri = (id: string): string => `genautoml://studies/${id}`;
    const row = (s: StudyStatus): z.infer<typeof studyRow> => ({
      id: s.id,
      state: s.state,
      dataset: s.dataset,
      task: s.task,
      sampler: s.sampler,
      pruner: s.pruner,
      counts: s.counts,
      total: s.total,
      best: s.best,
      elapsedS: s.elapsedS,
      etaS: s.etaS,
      uri: uri(s.id),
    });
    const line = (s: StudyStatus): string => {
      const done = s.counts.complete + s.counts.pruned + s.counts.failed + s.counts.cancelled;
      const best = s.best ? `best ${s.best.arch} (trial ${s.best.trial}) ${s.best.value.toFixed(4)}` : 'no complete trial yet';
      const eta = s.etaS !== null && s.state !== 'done' ? `, ETA ${Math.round(s.etaS)} s` : '';
      return `${s.id} [${s.state}] ${s.dataset} ${s.task}: ${done}${s.total ? `/${s.total}` : ''} trials done (${s.counts.complete} complete, ${s.counts.pruned} pruned, ${s.counts.failed} failed), ${s.counts.running} running; ${best}; ${s.elapsedS} s elapsed${eta}.`;
    };

    if (args.study && args.cursor !== undefined) {
      throw conflictingArguments('search_status', 'cursor pages the list of studies; it does nothing with study.', 'Give study for one study, or cursor (and limit) to page the list.');
    }
    if (args.study) {
      const s = await studyStatus(ctx.app, args.study);
      const result = studyResultOf(s);
      const table: BenchmarkTable | null = result ? { title: s.dataset, task: s.task === 'anomaly' ? 'anomaly' : 'forecasting', columns: [], rows: result.leaderboard, source: { kind: 'study', id: s.id } } : null;
      const board = table ? benchmarkRows(table) : [];
      const study = {
        ...row(s),
        recent: s.recent,
        result: result
          ? {
              leaderboard: board.slice(0, TOP),
              leaderboardTotal: board.length,
              export: result.export ? { dir: result.export.dir, files: result.export.files.map((f) => f.name), roundTripOk: result.export.roundTripOk } : null,
              charts: result.charts,
            }
          : null,
        error: s.error,
        resources: { trials: `${uri(s.id)}/trials`, leaderboard: `${uri(s.id)}/leaderboard`, result: `${uri(s.id)}/result` },
      };
      const top = board.slice(0, 3).map((r) => `${r.rank}. ${r.model} val ${r.valLoss?.toFixed(4) ?? '—'}${r.testMae === null ? '' : `, test MAE ${r.testMae.toFixed(4)}`}`);
      const summary = [line(s), ...(top.length ? [`Leaderboard: ${top.join('; ')}${board.length > 3 ? ` (+${board.length - 3} more: benchmark ${s.id})` : ''}.`] : [])].join('\n');
      return {
        data: { studies: [row(s)], study, nextCursor: null },
        summary,
        links: [
          { uri: uri(s.id), name: `study ${s.id}`, mimeType: 'application/json', description: 'Progress; subscribe for updates' },
          { uri: study.resources.trials, name: `trials of ${s.id}`, mimeType: 'application/json', description: 'Every trial with its learning curve' },
          ...(result ? [{ uri: study.resources.leaderboard, name: `leaderboard of ${s.id}`, mimeType: 'application/json' }] : []),
        ],
      };
    }

    const offset = decodeCursor('studies', args.cursor);
    const records = await ctx.app.studies.list(offset + args.limit + 1);
    const pageIds = records.slice(offset, offset + args.limit).map((r) => r.id);
    const studies: StudyStatus[] = [];
    for (const id of pageIds) studies.push(await studyStatus(ctx.app, id));
    const more = records.length > offset + args.limit;
    const nextCursor = more ? encodeCursor('studies', offset + args.limit) : null;
    const summary =
      studies.length === 0 ? (offset === 0 ? 'No studies yet. Start one with search.' : 'No more studies.') : [...studies.map(line), ...(more ? ['More: pass nextCursor.'] : [])].join('\n');
    return { data: { studies: studies.map(row), study: null, nextCursor }, summary };
  },
});
