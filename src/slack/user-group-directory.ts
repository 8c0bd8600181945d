import type { Logger } from "pino";
import type { Clock, UserGroupDirectory, UserGroupMembers } from "../core/ports.js";
import type { SlackTransport } from "./transport.js";

/** How long members read from Slack are used before they are read again. */
export const USERGROUP_TTL_MS = 5 * 60_000;
/** After a failed read, how long before that group is asked for again. */
export const USERGROUP_RETRY_MS = 60_000;

interface Entry {
  members?: string[];
  readAt?: number;
  failedAt?: number;
  reading?: Promise<void>;
}

/**
 * The one user-group directory: `usergroups.users.list` (Tier 2: 20 a minute) read at most
 * once per group every five minutes, failures remembered for a minute (a group Slack will
 * not let us read costs one call a minute, not one per command), last known members kept
 * when a read fails, on the injected clock. The request path only reads `cached`; the
 * background refresh (jobs/) and background work (`load`) do the reading.
 */
export function createUserGroupDirectory(opts: {
  slack: SlackTransport;
  clock: Clock;
  log: Logger;
  ttlMs?: number;
  retryMs?: number;
}): UserGroupDirectory {
  const ttl = opts.ttlMs ?? USERGROUP_TTL_MS;
  const retry = opts.retryMs ?? USERGROUP_RETRY_MS;
  const entries = new Map<string, Entry>();
  const now = () => opts.clock.now().getTime();
  const entry = (id: string): Entry => {
    let e = entries.get(id);
    if (!e) entries.set(id, (e = {}));
    return e;
  };
  const due = (e: Entry, t: number) =>
    (e.readAt === undefined || t - e.readAt >= ttl) && (e.failedAt === undefined || t - e.failedAt >= retry);

  function read(id: string, e: Entry): Promise<void> {
    e.reading ??= (async () => {
      try {
        const res = await opts.slack.call("usergroups.users.list", { usergroup: id });
        e.members = ((res.users as unknown[] | undefined) ?? []).filter(
          (u): u is string => typeof u === "string",
        );
        e.readAt = now();
        delete e.failedAt;
      } catch (err) {
        e.failedAt = now();
        opts.log.warn(
          { err, usergroup: id },
          e.members
            ? "cannot read user group members; using the last known"
            : "cannot read user group members",
        );
      } finally {
        delete e.reading;
      }
    })();
    return e.reading;
  }

  return {
    cached(id) {
      // Remembered, so that the background refresh reads it; never a Slack call here.
      return entry(id).members;
    },
    async load(ids): Promise<UserGroupMembers> {
      const t = now();
      const reads: Promise<void>[] = [];
      for (const id of ids) {
        const e = entry(id);
        if (e.reading) reads.push(e.reading);
        else if (due(e, t)) reads.push(read(id, e));
      }
      await Promise.all(reads);
      const out: UserGroupMembers = { members: {}, unreadable: [] };
      for (const id of ids) {
        const members = entries.get(id)?.members;
        if (members) out.members[id] = members;
        else out.unreadable.push(id);
      }
      return out;
    },
    async refresh() {
      const t = now();
      const reads: Promise<void>[] = [];
      for (const [id, e] of entries) {
        if (e.reading) reads.push(e.reading);
        else if (due(e, t)) reads.push(read(id, e));
      }
      await Promise.all(reads);
    },
  };
}
