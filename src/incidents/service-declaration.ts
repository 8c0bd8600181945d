import type { Service } from "../core/alerts/services.js";
import type { DeclareInput } from "./declare-incident.js";
import type { IncidentDeps } from "./deps.js";

/**
 * What a service decides when someone declares an incident for it: its name on the
 * incident, its team's members (as the user-group directory knows them) and its users
 * invited, its escalation policy, its announcement channel.
 */
export async function serviceDeclaration(
  deps: Pick<IncidentDeps, "usergroups">,
  service: Service,
): Promise<Pick<DeclareInput, "service" | "invite" | "escalationPolicy" | "announceChannel">> {
  const invite = [...service.invite];
  if (service.team && deps.usergroups) {
    const { members } = await deps.usergroups.load([service.team]);
    invite.push(...(members[service.team] ?? []));
  }
  return {
    service: service.name,
    invite: [...new Set(invite)],
    ...(service.escalationPolicy ? { escalationPolicy: service.escalationPolicy } : {}),
    ...(service.announceChannel ? { announceChannel: service.announceChannel } : {}),
  };
}
