/** cancel_search: stops a study; queued trials are dropped and running ones stop after their epoch. */
import { z } from 'zod';
import { cancelStudy } from '../engine/search/service.js';
import { defineTool } from './define.js';

export const cancelSearch = defineTool({
  name: 'cancel_search',
  title: 'Cancel a search',
  description: 'Cancels a running study: queued trials are dropped, running trials stop at the end of their current epoch, and subscribers are told. Finished trials stay recorded.',
  input: z.object({ study: z.string().min(1).describe('Study id.') }),
  output: z.object({ study: z.string(), cancelled: z.boolean(), state: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  cli: { name: 'cancel', positional: ['study'] },
  async handler(args, ctx) {
    const r = await cancelStudy(ctx.app, args.study);
    return {
      data: { study: args.study, ...r },
      summary: r.cancelled ? `Study ${args.study} cancelled.` : `Study ${args.study} was already ${r.state}; nothing to cancel.`,
    };
  },
});
