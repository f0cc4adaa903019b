/** Who hears about a study's end: webhooks and bot channels, per study or for every study. */
import { z } from 'zod';
import type { Database } from './db.js';

export type SubscriptionKind = 'webhook' | 'slack' | 'discord';

export interface Subscription {
  id: number;
  studyId: string | null;
  kind: SubscriptionKind;
  /** webhook: {url, format}; slack: {team, channel, thread}; discord: {guild, channel, thread, interactionToken?}. */
  target: Record<string, unknown>;
}

export interface SubscriptionRepo {
  add(sub: Omit<Subscription, 'id'>): Promise<Subscription>;
  get(id: number): Promise<Subscription | undefined>;
  /** The study's own subscriptions plus those for every study. */
  forStudy(studyId: string): Promise<Subscription[]>;
  remove(id: number): Promise<void>;
}

const rowSchema = z.object({
  id: z.coerce.number().int(),
  study_id: z.string().nullable(),
  kind: z.enum(['webhook', 'slack', 'discord']),
  target: z.record(z.string(), z.unknown()),
});

const fromRow = (raw: unknown): Subscription => {
  const r = rowSchema.parse(raw);
  return { id: r.id, studyId: r.study_id, kind: r.kind, target: r.target };
};

export function createSubscriptionRepo(db: Pick<Database, 'executeSql'>): SubscriptionRepo {
  return {
    async add(s) {
      const r = await db.executeSql('INSERT INTO subscriptions (study_id, kind, target) VALUES ($1, $2, $3) RETURNING id, study_id, kind, target', [
        s.studyId,
        s.kind,
        JSON.stringify(s.target),
      ]);
      return fromRow(r.rows[0]);
    },
    async get(id) {
      const r = await db.executeSql('SELECT id, study_id, kind, target FROM subscriptions WHERE id = $1', [id]);
      return r.rows[0] ? fromRow(r.rows[0]) : undefined;
    },
    async forStudy(studyId) {
      const r = await db.executeSql('SELECT id, study_id, kind, target FROM subscriptions WHERE study_id = $1 OR study_id IS NULL ORDER BY id', [studyId]);
      return r.rows.map(fromRow);
    },
    async remove(id) {
      await db.executeSql('DELETE FROM subscriptions WHERE id = $1', [id]);
    },
  };
}
