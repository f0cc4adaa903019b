/** The queues and their payloads. Every job carries ids only; state lives in the database. */
import { z } from 'zod';

const notifyPayload = z.object({ studyId: z.string(), subscriptionId: z.number().int(), event: z.enum(['done', 'failed', 'cancelled', 'round']), round: z.number().int().min(1).optional() });

export const JOBS = {
  /** Train and evaluate one trial of a study. */
  trial: z.object({ studyId: z.string(), number: z.number().int().min(0) }),
  /** Coordinate a study: ask for trials, tell results, finalise. Sent on start and after each trial. */
  study: z.object({ studyId: z.string(), reason: z.enum(['start', 'trial_done', 'resume', 'cancel']) }),
  /** Run one architect round of a study: propose models from its leaderboard and inject them. */
  architect: z.object({ studyId: z.string(), round: z.number().int().min(1) }),
  /** Deliver a study's outcome to one webhook subscription. */
  notify: notifyPayload,
  /** The same for Slack and Discord subscriptions: consumed only by the process running that bot. */
  notify_slack: notifyPayload,
  notify_discord: notifyPayload,
} as const;

export type Jobs = typeof JOBS;
