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

/**
 * The calls made per method in the last minute, so that no sliding minute ever holds more
 * than the method's tier allows (a token bucket that starts full and keeps refilling lets
 * nearly twice the allowance into one minute). The window is a second longer than Slack's
 * minute: a call reaches Slack a little after it is counted here.
 */
export class MethodWindows {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly windowMs = 61_000) {}

  private recent(method: string, nowMs: number): number[] {
    const times = this.sent.get(method) ?? [];
    let drop = 0;
    while (drop < times.length && times[drop]! <= nowMs - this.windowMs) drop++;
    if (drop) times.splice(0, drop);
    this.sent.set(method, times);
    return times;
  }

  /** Milliseconds before `method` may be called (0: now, and this call is counted). */
  take(method: string, nowMs: number): number {
    const wait = this.waitMs(method, nowMs);
    if (wait === 0 && methodRatePerMinute(method)) this.recent(method, nowMs).push(nowMs);
    return wait;
  }

  /** Milliseconds before `method` may be called; counts nothing. */
  waitMs(method: string, nowMs: number): number {
    const limit = methodRatePerMinute(method);
    if (!limit) return 0;
    const times = this.recent(method, nowMs);
    if (times.length < limit) return 0;
    return Math.max(1, times[times.length - limit]! + this.windowMs - nowMs);
  }

  /** Takes back a call counted by `take` at `atMs` that was not made after all. */
  release(method: string, atMs: number): void {
    const times = this.sent.get(method);
    const i = times?.lastIndexOf(atMs) ?? -1;
    if (times && i >= 0) times.splice(i, 1);
  }

  /** Counts calls made before this process counted them (a new leader reads the last minute's). */
  seed(attempts: readonly { method: string; at: number }[]): void {
    this.sent.clear();
    for (const a of attempts) {
      if (!methodRatePerMinute(a.method)) continue;
      const times = this.sent.get(a.method) ?? [];
      times.push(a.at);
      this.sent.set(a.method, times);
    }
    for (const times of this.sent.values()) times.sort((a, b) => a - b);
  }

  /** Methods that may not be called at `nowMs`, with how long each must wait. */
  full(nowMs: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const method of this.sent.keys()) {
      const wait = this.waitMs(method, nowMs);
      if (wait > 0) out.set(method, wait);
    }
    return out;
  }
}
