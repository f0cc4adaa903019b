/** A study's end notifies each place once, however many subscriptions name it. */
import { describe, expect, it } from 'vitest';
import { deliveryPlace, notifyStudyEnd, type NotifyApp } from '../../../engine/search/notify.js';
import type { Subscription } from '../../../storage/subscriptions.js';

const sub = (id: number, kind: Subscription['kind'], target: Record<string, unknown>): Subscription => ({ id, studyId: 'st_1', kind, target }) as Subscription;

describe('notification fan-out', () => {
  const subs = [
    sub(1, 'discord', { guild: 'G1', channel: 'C1', thread: 'i-123' }),
    sub(2, 'discord', { guild: 'G1', channel: 'C1', thread: null }), // every-study subscription, same channel
    sub(3, 'slack', { team: 'T1', channel: 'C9', thread: '1700000000.000100' }),
    sub(4, 'slack', { team: 'T1', channel: 'C9', thread: null }), // top level: another place
    sub(5, 'webhook', { url: 'https://hooks.example/a' }),
    sub(6, 'webhook', { url: 'https://hooks.example/a' }),
    sub(7, 'webhook', { url: 'https://hooks.example/b' }),
  ];

  it('keys places as the deliverers post them', () => {
    expect(deliveryPlace(subs[0]!)).toBe(deliveryPlace(subs[1]!));
    expect(deliveryPlace(subs[2]!)).not.toBe(deliveryPlace(subs[3]!));
    expect(deliveryPlace(subs[4]!)).toBe(deliveryPlace(subs[5]!));
  });

  it('enqueues one job per place, on the platform’s queue', async () => {
    const sent: { queue: string; subscriptionId: number }[] = [];
    const app: NotifyApp = {
      subscriptions: { forStudy: async () => subs },
      queue: { send: async (queue, payload) => (sent.push({ queue, subscriptionId: (payload as { subscriptionId: number }).subscriptionId }), 'job') },
    };
    expect(await notifyStudyEnd(app, 'st_1', 'done')).toBe(5);
    expect(sent).toEqual([
      { queue: 'notify_discord', subscriptionId: 1 },
      { queue: 'notify_slack', subscriptionId: 3 },
      { queue: 'notify_slack', subscriptionId: 4 },
      { queue: 'notify', subscriptionId: 5 },
      { queue: 'notify', subscriptionId: 7 },
    ]);
  });
});
