/** search: starts an architecture + hyperparameter study in the background and returns its id. */
import { z } from 'zod';
import { GenAutoMLError, isErrorCode } from '../engine/errors.js';
import { searchRequestSchema } from '../engine/search/spec.js';
import { startStudy, studyStatus } from '../engine/search/service.js';
import type { App } from '../engine/app.js';
import { defineTool, type ToolResult } from './define.js';
import { originSubscription } from './origin.js';

const input = searchRequestSchema.extend({
  webhook: z.url({ protocol: /^https?$/ }).optional().describe('Also notify this webhook (Slack, Discord or plain JSON) when the study ends.'),
  wait: z
    .boolean()
    .default(false)
    .describe('Stay and report progress until the study ends (CLI progress bar); over MCP at most ~25 s, then the study goes on and search_status follows it.'),
});

const output = z.object({
  studyId: z.string(),
  state: z.string(),
  candidates: z.array(z.string()),
  maxTrials: z.number().int().nullable(),
  maxMinutes: z.number().nullable(),
  sampler: z.string(),
  pruner: z.string(),
  best: z.object({ trial: z.number().int(), arch: z.string(), value: z.number() }).nullable(),
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
  output,
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
    const spec = study.spec as StudySpecView;
    let status = await studyStatus(ctx.app, study.id);
    // A client times a request out (60 s in desktop assistants), so an edge may bound the wait;
    // the study runs on either way and its id is in the answer.
    const deadline = Date.now() + (ctx.maxWaitMs ?? Infinity);
    const open = (): boolean => ['queued', 'running', 'finalising'].includes(status.state);
    if (wait) {
      while (!ctx.signal.aborted && open() && Date.now() < deadline) {
        const done = status.counts.complete + status.counts.pruned + status.counts.failed + status.counts.cancelled;
        ctx.progress({
          done,
          ...(status.total === null ? {} : { total: status.total }),
          message: `${status.state}: ${done} trials done, ${status.counts.running} running${status.best ? `, best ${status.best.arch} ${status.best.value.toFixed(4)}` : ''}`,
        });
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(2000, deadline - Date.now()))));
        status = await studyStatus(ctx.app, study.id);
      }
    }
    if (wait && status.state === 'failed') {
      // Waiting for the end (the CLI): a failed study is a failed command, said with its own code
      // (storage.disk_full, …), so the process exits non-zero with the message.
      const e = (status.error ?? {}) as { code?: string; message?: string; hint?: string };
      throw new GenAutoMLError(e.code !== undefined && isErrorCode(e.code) ? e.code : 'search.failed', `Study ${study.id} failed: ${e.message ?? 'no reason was recorded'}`, {
        hint: e.hint ?? `search_status ${study.id} shows its trials and error.`,
        details: { studyId: study.id, best: status.best },
      });
    }
    const data = shape(study.id, spec, status);
    const summary = wait && open()
      ? `Study ${study.id} is ${status.state} and goes on in the background${status.best ? ` (best so far: ${status.best.arch}, ${status.best.value.toFixed(4)})` : ''}. Follow it with search_status ${study.id}, or subscribe to genautoml://studies/${study.id}.`
      : wait
      ? `Study ${study.id} ${status.state}.${status.best ? ` Best by validation: ${status.best.arch} (trial ${status.best.trial}, ${status.best.value.toFixed(4)}).` : ''}`
      : `Started study ${study.id} over ${data.candidates.length} candidates (${data.sampler} sampler, ${data.pruner} pruner, ` +
        `${data.maxTrials ?? '∞'} trials${data.maxMinutes ? `, ${data.maxMinutes} min` : ''}). Follow it with search_status ${study.id}.`;
    return { data, summary, links: [{ uri: `genautoml://studies/${study.id}`, name: `study ${study.id}`, mimeType: 'application/json' }] };
  },
});

type StudySpecView = { request: { maxTrials?: number; maxMinutes?: number; sampler: string; pruner: string }; candidates: { name: string }[] };

function shape(studyId: string, spec: StudySpecView, status: Awaited<ReturnType<typeof studyStatus>>): z.output<typeof output> {
  return {
    studyId,
    state: status.state,
    candidates: spec.candidates.map((c) => c.name),
    maxTrials: spec.request.maxTrials ?? null,
    maxMinutes: spec.request.maxMinutes ?? null,
    sampler: spec.request.sampler,
    pruner: spec.request.pruner,
    best: status.best,
  };
}

/**
 * search's result for a study as it stands: what a search run as an MCP task answers once its
 * study has ended (the same schema as a direct call), with links to the study and its leaderboard.
 */
export async function searchOutcome(app: App, studyId: string): Promise<ToolResult<z.output<typeof output>>> {
  const study = await app.studies.get(studyId);
  const status = await studyStatus(app, studyId);
  const data = shape(studyId, study.spec as StudySpecView, status);
  const best = status.best ? ` Best by validation: ${status.best.arch} (trial ${status.best.trial}, ${status.best.value.toFixed(4)}).` : '';
  return {
    data,
    summary: `Study ${studyId} ${status.state}.${best} search_status ${studyId} has the leaderboard; export_model exports the winner.`,
    links: [
      { uri: `genautoml://studies/${studyId}`, name: `study ${studyId}`, mimeType: 'application/json' },
      { uri: `genautoml://studies/${studyId}/leaderboard`, name: `leaderboard of ${studyId}`, mimeType: 'application/json' },
    ],
  };
}
