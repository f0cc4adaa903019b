/**
 * Composition of a chat bot process: the bot connects its platform and says how to deliver a
 * message; this registers the consumer of the platform's notification queue with that deliverer.
 * The bots never touch the queue themselves (bots/ only translate).
 */
import type { App } from '../engine/app.js';
import { deliverNotification, type Deliverer } from '../engine/search/notify.js';

export type BotPlatform = 'slack' | 'discord';

const QUEUES = { slack: 'notify_slack', discord: 'notify_discord' } as const satisfies Record<BotPlatform, string>;

/** Consumes `notify_<platform>`: study results for that platform's subscriptions, posted by `deliver`. */
export async function registerBotNotifications(app: App, platform: BotPlatform, deliver: Deliverer): Promise<void> {
  await app.queue.work(QUEUES[platform], (job) => deliverNotification(app, job, { [platform]: deliver }));
}

/** Starts a bot (its gateway or listener), then its notification consumer. */
export async function startBot(app: App, platform: BotPlatform, bot: { start(): Promise<void>; deliver: Deliverer }): Promise<void> {
  await bot.start();
  await registerBotNotifications(app, platform, bot.deliver);
}
