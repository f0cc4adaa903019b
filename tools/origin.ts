/**
 * Who called a tool, as the edges set ToolContext.origin: `mcp`, `cli`, or a chat thread
 * `slack:<team>/<channel>/<thread>` / `discord:<guild>/<channel>/<thread>`. Chat origins become
 * notification subscriptions, so results find their way back to the thread that asked.
 */
import type { Subscription } from '../storage/subscriptions.js';

export interface ChatOrigin {
  platform: 'slack' | 'discord';
  workspace: string;
  channel: string;
  thread: string;
}

export function formatChatOrigin(o: ChatOrigin): string {
  return `${o.platform}:${o.workspace}/${o.channel}/${o.thread}`;
}

export function parseChatOrigin(origin: string): ChatOrigin | undefined {
  const m = /^(slack|discord):([^/]+)\/([^/]+)\/([^/]+)$/.exec(origin);
  if (!m) return undefined;
  return { platform: m[1] as 'slack' | 'discord', workspace: m[2] as string, channel: m[3] as string, thread: m[4] as string };
}

/** The subscription that posts to the calling chat thread (or channel, when `thread` is false). */
export function originSubscription(origin: string, options: { thread?: boolean } = {}): Omit<Subscription, 'id' | 'studyId'>[] {
  const o = parseChatOrigin(origin);
  if (!o) return [];
  const thread = options.thread === false ? null : o.thread;
  return [{ kind: o.platform, target: o.platform === 'slack' ? { team: o.workspace, channel: o.channel, thread } : { guild: o.workspace, channel: o.channel, thread } }];
}
