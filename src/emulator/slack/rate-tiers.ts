/**
 * Slack's published Web API rate limits, enforced the way Slack answers them: HTTP 429 with
 * `Retry-After` once a method's allowance for the workspace is spent in a sliding minute,
 * and about one message a second per channel for chat.postMessage.
 */

/** Calls per minute per method per workspace, by Slack's tier. */
export const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;
export type SlackTier = keyof typeof TIER_PER_MINUTE;

/**
 * The tier of every method the emulator speaks, as Slack's method reference lists it.
 * auth.test is documented as "special"; a burst above about 100 a minute is answered 429
 * (issue 10), so it is held to Tier 4 here. chat.postMessage is limited per channel instead.
 */
export const METHOD_TIERS: Readonly<Record<string, SlackTier>> = {
  "auth.test": 4,
  "chat.update": 3,
  "chat.delete": 3,
  "chat.postEphemeral": 4,
  "chat.getPermalink": 4,
  "conversations.create": 2,
  "conversations.invite": 3,
  "conversations.kick": 3,
  "conversations.setTopic": 2,
  "conversations.setPurpose": 2,
  "conversations.info": 3,
  "conversations.join": 3,
  "conversations.leave": 3,
  "conversations.archive": 2,
  "conversations.members": 4,
  "conversations.history": 3,
  "conversations.replies": 3,
  "conversations.list": 2,
  "conversations.open": 3,
  "files.getUploadURLExternal": 4,
  "files.completeUploadExternal": 4,
  "files.info": 4,
  "pins.add": 2,
  "pins.remove": 2,
  "pins.list": 2,
  "users.info": 4,
  "users.list": 2,
  "users.lookupByEmail": 3,
  "usergroups.users.list": 2,
  "usergroups.list": 2,
  "views.open": 4,
  "views.push": 4,
  "views.update": 4,
};

/**
 * chat.postMessage: "1 message per second per channel, with short bursts allowed": at most
 * `burst` messages in any `windowMs` to one channel (a sustained rate of one a second).
 */
export const CHANNEL_POST_LIMIT = { burst: 5, windowMs: 5_000 } as const;

const MINUTE_MS = 60_000;

/** Sliding windows of accepted calls: per method, and per channel for chat.postMessage. */
export class TierLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(private readonly now: () => Date) {}

  /**
   * Counts one call if it is within its limits; otherwise the whole seconds to wait
   * (Slack's `Retry-After`). Methods without a published tier pass.
   */
  check(method: string, args: Record<string, unknown>): { retryAfterSec: number } | undefined {
    const nowMs = this.now().getTime();
    if (method === "chat.postMessage") {
      const channel = typeof args.channel === "string" ? args.channel : "";
      return this.take(`channel:${channel}`, CHANNEL_POST_LIMIT.burst, CHANNEL_POST_LIMIT.windowMs, nowMs);
    }
    const tier = METHOD_TIERS[method];
    if (tier === undefined) return undefined;
    return this.take(`method:${method}`, TIER_PER_MINUTE[tier], MINUTE_MS, nowMs);
  }

  reset(): void {
    this.accepted.clear();
  }

  private take(key: string, limit: number, windowMs: number, nowMs: number) {
    const times = (this.accepted.get(key) ?? []).filter((t) => t > nowMs - windowMs);
    this.accepted.set(key, times);
    const oldest = times[0];
    if (times.length >= limit && oldest !== undefined) {
      // Whole seconds, rounded up: a client that waits it out gets through.
      return { retryAfterSec: Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000)) };
    }
    times.push(nowMs);
    return undefined;
  }
}
