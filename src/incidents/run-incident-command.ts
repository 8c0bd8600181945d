import type { IncidentCommand } from "../core/incident/parse-command.js";
import { findIncidentByChannel, getIncident, listIncidents } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { listTimeline } from "../store/timeline/timeline-events.js";
import type { TimelineEvent } from "../store/timeline/timeline-events.js";
import { applyIncidentChange } from "./apply-incident-command.js";
import type { IncidentChangeRequest } from "./apply-incident-command.js";
import { declareIncident } from "./declare-incident.js";
import { serviceDeclaration } from "./service-declaration.js";
import { serviceNamed, splitServicePrefix } from "../core/alerts/services.js";
import { addFollowUp } from "./follow-ups.js";
import type { FollowUp } from "../store/follow-ups/follow-ups.js";
import { listFollowUps } from "../store/follow-ups/follow-ups.js";
import type { IncidentDeps, Outcome } from "./deps.js";
import { decidePermission } from "../core/incident/roles.js";
import type { Permission } from "../core/incident/roles.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";

/** The `/incident` commands about incidents (the weekly report is the insights' own). */
export type IncidentCommandOnIncidents = Exclude<IncidentCommand, { type: "report" }>;

/** Who ran `/incident …`, where, and what they typed. */
export interface CommandInvocation {
  command: IncidentCommandOnIncidents;
  userId: string;
  channelId: string;
  triggerId?: string;
}

/** What the listener should show the user. */
export type CommandResult =
  | { type: "help" }
  | { type: "error"; message: string }
  | { type: "outcome"; outcome: Outcome }
  | { type: "open_declare_modal" }
  | { type: "status"; incident: Incident }
  | { type: "list"; incidents: Incident[]; service?: string }
  | { type: "timeline"; incidentId: number; events: TimelineEvent[] }
  | { type: "followups"; incidentId: number; followUps: FollowUp[] };

/** Runs one parsed `/incident` command. */
export async function runIncidentCommand(deps: IncidentDeps, inv: CommandInvocation): Promise<CommandResult> {
  const cmd = inv.command;
  switch (cmd.type) {
    case "help":
      return { type: "help" };
    case "declare": {
      if (!cmd.title) return { type: "open_declare_modal" };
      // `checkout: payments fail` names the service checkout, when there is one.
      const { service, title } = splitServicePrefix(cmd.title, deps.config.intake.services);
      return {
        type: "outcome",
        outcome: await declareIncident(deps, {
          title,
          severity: cmd.severity ?? "P2",
          actor: inv.userId,
          via: "slash",
          ...(service ? await serviceDeclaration(deps, service) : {}),
          ...(inv.triggerId ? { requestKey: inv.triggerId } : {}),
        }),
      };
    }
    case "list": {
      const services = deps.config.intake.services;
      if (cmd.service !== undefined && !serviceNamed(cmd.service, services))
        return {
          type: "error",
          message: services.length
            ? `There is no service "${cmd.service}": services are ${services.map((s) => s.name).join(", ")}.`
            : `There is no service "${cmd.service}": none are configured (services: in firebreak.yaml).`,
        };
      return {
        type: "list",
        incidents: await listIncidents(deps.pool, {
          openOnly: true,
          limit: 20,
          ...(cmd.service !== undefined ? { service: cmd.service } : {}),
        }),
        ...(cmd.service !== undefined ? { service: cmd.service } : {}),
      };
    }
    default:
      break;
  }
  const incident = await resolveIncident(deps, cmd.ref, inv.channelId);
  if (typeof incident === "string") return { type: "error", message: incident };
  switch (cmd.type) {
    case "status":
      return { type: "status", incident };
    case "timeline":
      return {
        type: "timeline",
        incidentId: incident.id,
        events: await listTimeline(deps.pool, incident.id, { latest: 20 }),
      };
    case "ack":
    case "mitigate":
    case "reopen":
    case "resolve":
    case "severity":
    case "role":
    case "note":
      return {
        type: "outcome",
        outcome: await applyIncidentChange(
          deps,
          incident.id,
          inv.userId,
          toChangeRequest(cmd, inv.triggerId),
          "slash",
        ),
      };
    case "followup": {
      const outcome = await addFollowUp(deps, {
        incidentId: incident.id,
        actor: inv.userId,
        text: cmd.text,
        via: "slash",
      });
      return {
        type: "outcome",
        outcome:
          outcome.status === "refused"
            ? {
                status: "refused",
                message: outcome.message,
                ...(outcome.incident ? { incident: outcome.incident } : {}),
              }
            : { status: outcome.status, message: outcome.message, incident: outcome.incident },
      };
    }
    case "followups":
      return {
        type: "followups",
        incidentId: incident.id,
        followUps: await listFollowUps(deps.pool, incident.id),
      };
    case "escalate":
    case "page": {
      const paging = deps.paging;
      if (!paging) return { type: "error", message: "Paging is not enabled in this Firebreak." };
      const refusal = await refusePermission(deps, incident, inv.userId, "page", cmd.type);
      if (refusal) return { type: "outcome", outcome: refusal };
      return {
        type: "outcome",
        outcome:
          cmd.type === "escalate"
            ? await paging.escalateNow(incident.id, inv.userId, inv.triggerId)
            : await paging.pageAdHoc(incident.id, inv.userId, cmd.target, inv.triggerId),
      };
    }
  }
}

type ChangeCommand = Extract<IncidentCommandOnIncidents, { type: IncidentChangeRequest["type"] }>;

/** The change a lifecycle command asks for (the command minus its `#N`). */
function toChangeRequest(cmd: ChangeCommand, triggerId: string | undefined): IncidentChangeRequest {
  switch (cmd.type) {
    case "resolve":
      return { type: "resolve", ...(cmd.summary ? { summary: cmd.summary } : {}) };
    case "severity":
      return { type: "severity", severity: cmd.severity };
    case "role":
      return { type: "role", role: cmd.role, userId: cmd.userId };
    case "note":
      // The trigger id is the same on every delivery of one command, and new for the next.
      return { type: "note", text: cmd.text, ...(triggerId ? { requestKey: triggerId } : {}) };
    default:
      return { type: cmd.type };
  }
}

/** Checks a permission for a command that is not a plain incident change; records a refusal. */
async function refusePermission(
  deps: IncidentDeps,
  incident: Incident,
  userId: string,
  permission: Permission,
  command: string,
): Promise<Outcome | null> {
  const decision = decidePermission({
    permission,
    policy: deps.config.permissions,
    userId,
    roles: await deps.roles.rolesOf(userId),
    incidentCommander: incident.commander,
  });
  if (decision.allowed) return null;
  await withTransaction(deps.pool, (tx) =>
    appendTimelineEvent(tx, {
      incidentId: incident.id,
      actor: userId,
      kind: "command.refused",
      at: deps.clock.now(),
      data: { command, via: "slash", reason: decision.reason },
    }),
  );
  return { status: "refused", message: decision.reason, incident };
}

/** The incident a command is about: `#N` if given, else the incident whose channel this is. */
export async function resolveIncident(
  deps: Pick<IncidentDeps, "pool">,
  ref: number | undefined,
  channelId: string,
): Promise<Incident | string> {
  if (ref !== undefined)
    return (
      (await getIncident(deps.pool, ref)) ??
      `There is no incident #${ref}. \`/incident list\` shows the open ones.`
    );
  return (
    (await findIncidentByChannel(deps.pool, channelId)) ??
    "This is not an incident channel: run the command in the incident's channel, or name it, e.g. `/incident ack #12`."
  );
}
