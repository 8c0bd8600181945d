import type pg from "pg";
import type { Logger } from "pino";
import { isUserId } from "../core/people.js";
import type { Clock, PeopleDirectory, Person } from "../core/ports.js";
import { withTransaction } from "../store/pool.js";
import { markProfilesRequested, readProfiles } from "../store/profiles/slack-profiles.js";
import { enqueueSlackCall } from "../store/outbox/outbox-calls.js";

/** Outbox kind of a profile refresh (users.info; continuation in slack/outbox/profile-handlers.ts). */
export const PROFILE_REFRESH = "profile.refresh";

const DAY_MS = 86_400_000;
/** A refresh asked for and not answered within this long is asked for again. */
const RETRY_AFTER_MS = 3_600_000;

/**
 * People's names from their Slack profiles, read from a cache in Postgres. A lookup never
 * waits for Slack: an unknown or day-old profile is queued for a users.info call through
 * the outbox (one per person, coalesced), and the answer lands in the cache for the next
 * reader; until then the caller shows the user id.
 */
export function createSlackProfileDirectory(o: {
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  freshForMs?: number;
}): PeopleDirectory {
  const freshFor = o.freshForMs ?? DAY_MS;
  return {
    async lookup(ids) {
      const users = [...new Set(ids)].filter(isUserId);
      const out = new Map<string, Person>();
      if (!users.length) return out;
      const now = o.clock.now();
      const known = await readProfiles(o.pool, users);
      const byId = new Map(known.map((p) => [p.userId, p]));
      for (const p of known)
        if (p.name)
          out.set(p.userId, { id: p.userId, name: p.name, ...(p.timeZone ? { timeZone: p.timeZone } : {}) });
      const stale = users.filter((id) => {
        const fetchedAt = byId.get(id)?.fetchedAt;
        return !fetchedAt || now.getTime() - fetchedAt.getTime() > freshFor;
      });
      if (stale.length) await requestRefresh(o, stale, now);
      return out;
    },
  };
}

async function requestRefresh(
  o: { pool: pg.Pool; log: Logger },
  userIds: string[],
  now: Date,
): Promise<void> {
  try {
    await withTransaction(o.pool, async (tx) => {
      const due = await markProfilesRequested(tx, userIds, now, new Date(now.getTime() - RETRY_AFTER_MS));
      for (const user of due)
        await enqueueSlackCall(tx, {
          kind: PROFILE_REFRESH,
          method: "users.info",
          args: { user },
          context: { user },
          channelKey: `profile:${user}`,
          coalesceKey: `profile:${user}`,
        });
    });
  } catch (err) {
    // Names are a nicety: the page still renders with user ids.
    o.log.warn({ err, users: userIds.length }, "could not queue profile refreshes");
  }
}
