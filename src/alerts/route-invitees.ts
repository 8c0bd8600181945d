import type { AlertRouteDecision } from "../core/alerts/routing.js";
import type { UserGroupDirectory } from "../core/ports.js";

/**
 * Who a route invites: its users plus the members of its Slack user groups, as the
 * directory knows them. A group Slack will not let us read adds its last known members,
 * or nobody: the incident still opens.
 */
export async function routeInvitees(
  groups: UserGroupDirectory,
  route: Pick<AlertRouteDecision, "invite" | "usergroups">,
): Promise<string[]> {
  const users = [...route.invite];
  if (route.usergroups.length) {
    const { members } = await groups.load(route.usergroups);
    for (const g of route.usergroups) users.push(...(members[g] ?? []));
  }
  return [...new Set(users)];
}
