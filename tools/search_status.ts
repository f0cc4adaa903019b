/** search_status: a study's progress (trials by state, best so far, ETA), or the recent studies. */
import { z } from 'zod';
import { studyStatus, type StudyStatus } from '../engine/search/service.js';
import { defineTool } from './define.js';

const counts = z.object({ queued: z.number().int(), running: z.number().int(), complete: z.number().int(), pruned: z.number().int(), failed: z.number().int(), cancelled: z.number().int() });

export const searchStatus = defineTool({
  name: 'search_status',
  title: 'Search status',
  description: 'Shows a study: its state, trials queued/running/complete/pruned/failed, the best trial so far by validation loss, elapsed time and ETA, and the leaderboard once finished. Without an id, lists recent studies.',
  input: z.object({ study: z.string().min(1).optional().describe('Study id from search; omit to list recent studies.') }),
  output: z.object({
    studies: z.array(
      z.object({
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
        recent: z.array(z.object({ number: z.number().int(), arch: z.string(), state: z.string(), value: z.number().nullable(), epochs: z.number().int(), error: z.string().nullable() })),
        result: z.record(z.string(), z.unknown()).nullable(),
        error: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'status', positional: ['study'] },
  async handler(args, ctx) {
    const ids = args.study ? [args.study] : (await ctx.app.studies.list(10)).map((s) => s.id);
    const studies: StudyStatus[] = [];
    for (const id of ids) studies.push(await studyStatus(ctx.app, id));
    const line = (s: StudyStatus): string => {
      const done = s.counts.complete + s.counts.pruned + s.counts.failed + s.counts.cancelled;
      const best = s.best ? `best ${s.best.arch} (trial ${s.best.trial}) ${s.best.value.toFixed(4)}` : 'no complete trial yet';
      const eta = s.etaS !== null && s.state !== 'done' ? `, ETA ${Math.round(s.etaS)} s` : '';
      return `${s.id} [${s.state}] ${s.dataset} ${s.task}: ${done}${s.total ? `/${s.total}` : ''} trials done (${s.counts.complete} complete, ${s.counts.pruned} pruned, ${s.counts.failed} failed), ${s.counts.running} running; ${best}; ${s.elapsedS} s elapsed${eta}.`;
    };
    const summary = studies.length === 0 ? 'No studies yet. Start one with search.' : studies.map(line).join('\n');
    return { data: { studies }, summary };
  },
});
