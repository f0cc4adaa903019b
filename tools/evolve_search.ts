/** evolve_search: more architect rounds on a running or finished study. */
import { z } from 'zod';
import { evolveStudy } from '../engine/search/candidates.js';
import { defineTool } from './define.js';
import { originSubscription } from './origin.js';

export const evolveSearch = defineTool({
  name: 'evolve_search',
  title: 'Evolve a search with architect rounds',
  description:
    'Starts more architect rounds on a study: after each, the neural architect reads the leaderboard (validation loss, size, epochs, ' +
    'failures and the best models’ code), proposes new models (mutations, recombinations, new designs), validates them, drops any that ' +
    'repeats a model already tried and adds the rest to the live study. A finished study is reopened with its trials kept and, with a ' +
    'time budget, a few more minutes. The calling chat thread is told when each round’s models join and when the study ends.',
  input: z.object({
    study: z.string().min(1).describe('A running or finished study id.'),
    rounds: z.number().int().min(1).max(10).default(1),
    modelsPerRound: z.number().int().min(1).max(8).optional().describe('Models per round (default: the study’s, or 2).'),
    request: z.string().min(3).max(2000).optional().describe('What to steer the architect towards.'),
    minutes: z.number().positive().max(24 * 60).optional().describe('Extra minutes for a finished study with a time budget (default: its budget, at most 10).'),
  }),
  output: z.object({ studyId: z.string(), reopened: z.boolean(), rounds: z.number().int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  needsWorker: true,
  cli: { name: 'evolve', positional: ['study'] },
  async handler(args, ctx) {
    const { study, ...options } = args;
    const r = await evolveStudy(ctx.app, study, options);
    for (const s of originSubscription(ctx.origin)) {
      const known = await ctx.app.subscriptions.forStudy(study);
      if (!known.some((k) => k.kind === s.kind && JSON.stringify(k.target) === JSON.stringify(s.target))) await ctx.app.subscriptions.add({ ...s, studyId: study });
    }
    return {
      data: r,
      summary: `${r.reopened ? 'Reopened' : 'Evolving'} study ${study}: ${args.rounds} more architect round${args.rounds === 1 ? '' : 's'} (${r.rounds} in all). Each round starts once every candidate has its first trial.`,
    };
  },
});
