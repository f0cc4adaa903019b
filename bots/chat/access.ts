/** Who may talk to the bots (allowed workspaces, channels, users) and how often (per-user token bucket). */
import type { Config } from '../../engine/config.js';

export interface Caller {
  workspace: string;
  channel: string;
  user: string;
}

/** A refusal to show the caller, or undefined when allowed. Empty lists allow everyone. */
export function checkAccess(config: Pick<Config, 'allowedWorkspaces' | 'allowedChannels' | 'allowedUsers'>, caller: Caller): string | undefined {
  if (config.allowedWorkspaces.length > 0 && !config.allowedWorkspaces.includes(caller.workspace))
    return 'This workspace is not allowed to use genautoml. An operator can add it to GENAUTOML_ALLOWED_WORKSPACES.';
  if (config.allowedChannels.length > 0 && !config.allowedChannels.includes(caller.channel))
    return 'genautoml does not answer in this channel. An operator can add it to GENAUTOML_ALLOWED_CHANNELS.';
  if (config.allowedUsers.length > 0 && !config.allowedUsers.includes(caller.user))
    return 'You are not allowed to use genautoml. An operator can add you to GENAUTOML_ALLOWED_USERS.';
  return undefined;
}

/** A token bucket per user: `perMinute` commands, refilled continuously. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; `retryAfterMs` says when the next one is available when refused. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / rate) };
  }
}
