/**
 * Slack's published per-method rate tiers (calls per minute per workspace), and the
 * special limit of about one message per second per channel.
 */
const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

const METHOD_TIER: Record<string, keyof typeof TIER_PER_MINUTE> = {
  "conversations.create": 2,
  "conversations.setTopic": 2,
  "conversations.setPurpose": 2,
  "conversations.invite": 3,
  "conversations.join": 3,
  "conversations.info": 3,
  "conversations.open": 3,
  "pins.add": 2,
  "chat.update": 3,
  "chat.postEphemeral": 4,
  "views.open": 4,
  "views.update": 4,
  "users.info": 4,
  "usergroups.users.list": 2,
  "files.getUploadURLExternal": 4,
  "files.completeUploadExternal": 4,
};

/** Methods that post a message into a channel: paced to about one a second per channel. */
export const CHANNEL_PACED_METHODS = new Set([
  "chat.postMessage",
  "chat.postEphemeral",
  "files.completeUploadExternal",
]);
export const CHANNEL_PACE_MS = 1_000;

/** Calls per minute Slack allows for a method (chat.postMessage is paced per channel instead). */
export function methodRatePerMinute(method: string): number | undefined {
  const tier = METHOD_TIER[method];
  return tier ? TIER_PER_MINUTE[tier] : undefined;
}

/** A token bucket per method, refilled continuously; burst = one minute's allowance. */
export class MethodBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Milliseconds to wait before `method` may be called (0: now). Takes a token when 0. */
  take(method: string, nowMs: number): number {
    const perMinute = methodRatePerMinute(method);
    if (!perMinute) return 0;
    const perMs = perMinute / 60_000;
    const b = this.buckets.get(method) ?? { tokens: perMinute, at: nowMs };
    b.tokens = Math.min(perMinute, b.tokens + (nowMs - b.at) * perMs);
    b.at = nowMs;
    this.buckets.set(method, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs);
  }
}
