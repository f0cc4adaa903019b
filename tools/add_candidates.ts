/** add_candidates: registered models join a running study live; each gets its first trial next. */
import { z } from 'zod';
import { addCandidates } from '../engine/search/candidates.js';
import { defineTool } from './define.js';

export const addCandidatesTool = defineTool({
  name: 'add_candidates',
  title: 'Add models to a running search',
  description:
    'Adds registered models (generated or user models, or baselines left out) to a queued or running study without restarting it: ' +
    'the study records when each joined, gives each its first trial at its default hyperparameters next (on top of the trial budget), ' +
    'then samples it like every other candidate. Models already in the study are reported and left as they are.',
  input: z.object({
    study: z.string().min(1).describe('A queued or running study id.'),
    models: z.array(z.string().min(1)).min(1).max(50).describe('Registered model names or ids (list_models).'),
  }),
  output: z.object({ studyId: z.string(), added: z.array(z.string()), present: z.array(z.string()), candidates: z.number().int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  cli: { name: 'add', positional: ['study'] },
  async handler(args, ctx) {
    const r = await addCandidates(ctx.app, args.study, args.models, { source: 'added' });
    const parts = [
      r.added.length ? `Added ${r.added.join(', ')} to study ${r.studyId}; each gets its first trial next.` : `Nothing new added to study ${r.studyId}.`,
      ...(r.present.length ? [`Already candidates: ${r.present.join(', ')}.`] : []),
      `It now has ${r.candidates} candidates.`,
    ];
    return { data: r, summary: parts.join(' ') };
  },
});
