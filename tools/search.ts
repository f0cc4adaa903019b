/** search: starts an architecture + hyperparameter study in the background and returns its id. */
import { z } from 'zod';
import { searchRequestSchema } from '../engine/search/spec.js';
import { startStudy, studyStatus } from '../engine/search/service.js';
import { defineTool } from './define.js';
import { originSubscription } from './origin.js';

const input = searchRequestSchema.extend({
  webhook: z.url({ protocol: /^https?$/ }).optional().describe('Also notify this webhook (Slack, Discord or plain JSON) when the study ends.'),
  wait: z.boolean().default(false).describe('Stay and report progress until the study ends (MCP progress notifications, CLI progress bar).'),
});

export const search = defineTool({
  name: 'search',
  title: 'Search architectures and hyperparameters',
  description:
    'Starts a study over the baseline zoo and the registered generated models (or chosen candidates): a sampler (random or TPE) ' +
    'proposes an architecture and its hyperparameters, workers train trials in parallel, a pruner stops weak ones, selection uses ' +
    'the validation split only and the winner is evaluated once on the test split and exported. Returns the study id at once; ' +
    'search_status follows it, and subscribed channels and webhooks are notified at the end.',
  input,
  output: z.object({
    studyId: z.string(),
    state: z.string(),
    candidates: z.array(z.string()),
    maxTrials: z.number().int().nullable(),
    maxMinutes: z.number().nullable(),
    sampler: z.string(),
    pruner: z.string(),
    best: z.object({ trial: z.number().int(), arch: z.string(), value: z.number() }).nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  long: true,
  needsWorker: true,
  cli: { positional: ['dataset'], defaults: { wait: true } },
  async handler(args, ctx) {
    const { webhook, wait, ...request } = args;
    const study = await startStudy(ctx.app, request, {
      origin: ctx.origin,
      subscribe: [...(webhook ? [{ kind: 'webhook' as const, target: { url: webhook } }] : []), ...originSubscription(ctx.origin)],
    });
    const spec = study.spec as { request: { maxTrials?: number; maxMinutes?: number; sampler: string; pruner: string }; candidates: { name: string }[] };
    let status = await studyStatus(ctx.app, study.id);
    if (wait) {
      while (!ctx.signal.aborted && ['queued', 'running', 'finalising'].includes(status.state)) {
        const done = status.counts.complete + status.counts.pruned + status.counts.failed + status.counts.cancelled;
        ctx.progress({
          done,
          ...(status.total === null ? {} : { total: status.total }),
          message: `${status.state}: ${done} trials done, ${status.counts.running} running${status.best ? `, best ${status.best.arch} ${status.best.value.toFixed(4)}` : ''}`,
        });
        await new Promise((r) => setTimeout(r, 2000));
        status = await studyStatus(ctx.app, study.id);
      }
    }
    const data = {
      studyId: study.id,
      state: status.state,
      candidates: spec.candidates.map((c) => c.name),
      maxTrials: spec.request.maxTrials ?? null,
      maxMinutes: spec.request.maxMinutes ?? null,
      sampler: spec.request.sampler,
      pruner: spec.request.pruner,
      best: status.best,
    };
    const summary = wait
      ? `Study ${study.id} ${status.state}.${status.best ? ` Best by validation: ${status.best.arch} (trial ${status.best.trial}, ${status.best.value.toFixed(4)}).` : ''}`
      : `Started study ${study.id} over ${data.candidates.length} candidates (${data.sampler} sampler, ${data.pruner} pruner, ` +
        `${data.maxTrials ?? '∞'} trials${data.maxMinutes ? `, ${data.maxMinutes} min` : ''}). Follow it with search_status ${study.id}.`;
    return { data, summary, links: [{ uri: `genautoml://studies/${study.id}`, name: `study ${study.id}`, mimeType: 'application/json' }] };
  },
});
