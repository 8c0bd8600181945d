import type { Clock, UserNames } from "../core/ports.js";
import type { SlackTransport } from "./transport.js";

const TTL_MS = 60 * 60_000;

/**
 * Display names from Slack's `users.info`, cached for an hour on the injected clock; a
 * user Slack cannot tell us about has no name (callers fall back to the id).
 */
export function createUserNames(opts: { slack: SlackTransport; clock: Clock }): UserNames {
  const cache = new Map<string, { name: string | undefined; at: number }>();
  return {
    async nameOf(userId) {
      const now = opts.clock.now().getTime();
      const hit = cache.get(userId);
      if (hit && now - hit.at < TTL_MS) return hit.name;
      try {
        const res = await opts.slack.call("users.info", { user: userId });
        const user = res.user as { real_name?: string; name?: string } | undefined;
        const name = user?.real_name || user?.name || undefined;
        cache.set(userId, { name, at: now });
        return name;
      } catch {
        return hit?.name;
      }
    },
  };
}
