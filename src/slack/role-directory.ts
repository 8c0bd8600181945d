import type { FirebreakConfig } from "../config.js";
import { ROLES } from "../core/incident/roles.js";
import type { Role } from "../core/incident/roles.js";
import type { UserGroupDirectory } from "../core/ports.js";
import type { RoleDirectory } from "../incidents/ports.js";

/** Every user group firebreak.yaml grants a role to (warmed at start, refreshed in the background). */
export function roleUsergroups(config: FirebreakConfig): string[] {
  return [...new Set(ROLES.flatMap((role) => config.roles[role].usergroups))];
}

/**
 * Roles from firebreak.yaml: listed users, plus members of listed Slack user groups as the
 * directory last read them. It never asks Slack itself (this is on every request's path):
 * a group not read yet, or never readable, grants nothing until the refresh reads it.
 */
export function createRoleDirectory(opts: {
  config: FirebreakConfig;
  usergroups: UserGroupDirectory;
}): RoleDirectory {
  return {
    async rolesOf(userId) {
      const roles = new Set<Role>();
      for (const role of ROLES) {
        const def = opts.config.roles[role];
        if (def.users.includes(userId)) roles.add(role);
        else if (def.usergroups.some((g) => opts.usergroups.cached(g)?.includes(userId))) roles.add(role);
      }
      return roles;
    },
  };
}
