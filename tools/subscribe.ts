/** subscribe: tell a webhook, or this chat channel, when studies end (one study or all of them). */
import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';
import { detectWebhookFormat } from '../engine/notify/webhook.js';
import { defineTool } from './define.js';
import { originSubscription } from './origin.js';

export const subscribe = defineTool({
  name: 'subscribe',
  title: 'Subscribe to study results',
  description:
    'Subscribes a webhook (Slack incoming webhook, Discord webhook or plain JSON) or, from Slack or Discord, the current channel ' +
    'to the end of one study or of every study: each gets the leaderboard, the chart and how to get the model.',
  input: z.object({
    study: z.string().min(1).optional().describe('A study id; omit to subscribe to every study.'),
    webhook: z.url({ protocol: /^https?$/ }).optional().describe('Webhook URL; omit in chat to subscribe this channel.'),
  }),
  output: z.object({ id: z.number().int(), kind: z.string(), study: z.string().nullable() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  cli: { positional: ['webhook'] },
  async handler(args, ctx) {
    if (args.study) await ctx.app.studies.get(args.study);
    const [fromChat] = originSubscription(ctx.origin, { thread: args.study !== undefined });
    const sub = args.webhook ? { kind: 'webhook' as const, target: { url: args.webhook, format: detectWebhookFormat(args.webhook) } } : fromChat;
    if (!sub) {
      throw new GenAutoMLError('subscribe.no_target', 'Nothing to subscribe: give a webhook URL.', { hint: 'From Slack or Discord the channel itself can subscribe; elsewhere pass webhook=https://….' });
    }
    const saved = await ctx.app.subscriptions.add({ ...sub, studyId: args.study ?? null });
    const where = sub.kind === 'webhook' ? 'the webhook' : 'this channel';
    return {
      data: { id: saved.id, kind: saved.kind, study: saved.studyId },
      summary: `Subscribed ${where} to ${args.study ? `study ${args.study}` : 'every study'}; it is told when ${args.study ? 'it ends' : 'each one ends'}.`,
    };
  },
});
