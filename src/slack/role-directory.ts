import type { Logger } from "pino";
import type { FirebreakConfig } from "../config.js";
import { ROLES } from "../core/incident/roles.js";
import type { Role } from "../core/incident/roles.js";
import type { RoleDirectory } from "../incidents/deps.js";
import type { SlackTransport } from "./slack-transport.js";

const GROUP_TTL_MS = 5 * 60_000;

/**
 * Roles from firebreak.yaml: listed users, plus members of listed Slack user groups
 * (fetched with usergroups.users.list and cached for five minutes; if Slack cannot be
 * asked, the last known members are used, and with none the group grants nothing).
 */
export function createRoleDirectory(opts: {
  config: FirebreakConfig;
  slack: SlackTransport;
  log: Logger;
  now?: () => number;
}): RoleDirectory {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { members: Set<string>; at: number }>();
  async function members(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit && now() - hit.at < GROUP_TTL_MS) return hit.members;
    try {
      const res = await opts.slack.call("usergroups.users.list", { usergroup: group });
      const set = new Set((res.users as string[] | undefined) ?? []);
      cache.set(group, { members: set, at: now() });
      return set;
    } catch (err) {
      opts.log.warn({ err, usergroup: group }, "cannot read user group members; using the last known");
      return hit?.members ?? new Set();
    }
  }
  return {
    async rolesOf(userId) {
      const roles = new Set<Role>();
      for (const role of ROLES) {
        const def = opts.config.roles[role];
        if (def.users.includes(userId)) roles.add(role);
        else for (const g of def.usergroups) if ((await members(g)).has(userId)) roles.add(role);
      }
      return roles;
    },
  };
}
