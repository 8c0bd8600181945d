import type { Logger } from "pino";
import type { AlertRouteDecision } from "../core/alerts/routing.js";
import type { SlackTransport } from "../slack/slack-transport.js";

const GROUP_TTL_MS = 5 * 60_000;

/** Who a route invites: its users plus the members of its Slack user groups. */
export interface InviteeResolver {
  invitees(route: AlertRouteDecision): Promise<string[]>;
}

/**
 * Reads user group members with usergroups.users.list, cached for five minutes. It runs
 * before the processing transaction (no Slack call holds a row lock); if Slack cannot be
 * asked, the last known members are used, and with none the group adds nobody: the
 * incident still opens.
 */
export function createInviteeResolver(opts: {
  slack: SlackTransport;
  log: Logger;
  now?: () => number;
}): InviteeResolver {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { members: string[]; at: number }>();
  async function members(group: string): Promise<string[]> {
    const hit = cache.get(group);
    if (hit && now() - hit.at < GROUP_TTL_MS) return hit.members;
    try {
      const res = await opts.slack.call("usergroups.users.list", { usergroup: group });
      const list = ((res.users as unknown[] | undefined) ?? []).filter(
        (u): u is string => typeof u === "string",
      );
      cache.set(group, { members: list, at: now() });
      return list;
    } catch (err) {
      opts.log.warn({ err, usergroup: group }, "cannot read user group members for an alert route");
      return hit?.members ?? [];
    }
  }
  return {
    async invitees(route) {
      const users = [...route.invite];
      for (const g of route.usergroups) users.push(...(await members(g)));
      return [...new Set(users)];
    },
  };
}
