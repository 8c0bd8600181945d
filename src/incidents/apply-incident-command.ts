import type pg from "pg";
import { escapeMrkdwn, mentionUser, truncate } from "../core/mrkdwn.js";
import { decidePermission } from "../core/incident/roles.js";
import type { IncidentRole, Permission, Role } from "../core/incident/roles.js";
import type { Severity } from "../core/incident/severity.js";
import { transition } from "../core/incident/state-machine.js";
import { claimRequestKey, lockIncident, updateIncident } from "../store/incidents/incidents.js";
import type { IncidentPatch } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { IncidentDeps, Outcome, Via } from "./deps.js";
import type { IncidentChange, IncidentChangeKind } from "./ports.js";

/** A change someone asks for on an existing incident. */
export type IncidentChangeRequest =
  | { type: "ack" }
  | { type: "mitigate" }
  | { type: "resolve"; summary?: string }
  | { type: "reopen" }
  | { type: "severity"; severity: Severity }
  | { type: "role"; role: IncidentRole; userId: string }
  /** `requestKey` (the Slack trigger or view id) records the note once however often Slack delivers it. */
  | { type: "note"; text: string; requestKey?: string }
  | { type: "checklist"; itemId: number; done: boolean };

const PERMISSION: Record<IncidentChangeRequest["type"], Permission> = {
  ack: "ack",
  mitigate: "mitigate",
  resolve: "resolve",
  reopen: "reopen",
  severity: "severity",
  role: "assign_role",
  note: "note",
  checklist: "checklist",
};

/**
 * Applies one change to an incident under its row lock: checks the actor's permission,
 * validates the transition, records the timeline event, queues the Slack updates and tells
 * the change listeners (paging stops on ack) — all in one transaction. A repeat of a change
 * already made (a double click, a Slack retry) changes nothing and records nothing.
 */
export async function applyIncidentChange(
  deps: IncidentDeps,
  incidentId: number,
  actor: string,
  request: IncidentChangeRequest,
  via: Via,
): Promise<Outcome> {
  const roles = await deps.roles.rolesOf(actor);
  return withTransaction(deps.pool, (tx) =>
    applyIncidentChangeIn(tx, deps, { incidentId, actor, roles, request, via }),
  );
}

/**
 * The same change inside the caller's transaction (alert processing holds its group's row
 * lock across it). `roles` are the actor's, looked up before the transaction began.
 */
export async function applyIncidentChangeIn(
  tx: pg.PoolClient,
  deps: Omit<IncidentDeps, "pool" | "roles">,
  change: {
    incidentId: number;
    actor: string;
    roles: ReadonlySet<Role>;
    request: IncidentChangeRequest;
    via: Via;
  },
): Promise<Outcome> {
  const { incidentId, actor, roles, request, via } = change;
  const incident = await lockIncident(tx, incidentId);
  if (!incident)
    return {
      status: "refused",
      message: `There is no incident #${incidentId}. \`/incident list\` shows the open ones.`,
    };
  const now = deps.clock.now();
  const refuse = async (reason: string): Promise<Outcome> => {
    await appendTimelineEvent(tx, {
      incidentId,
      actor,
      kind: "command.refused",
      at: now,
      data: { command: request.type, via, reason },
    });
    return { status: "refused", message: reason, incident };
  };
  const decision = decidePermission({
    permission: PERMISSION[request.type],
    policy: deps.config.permissions,
    userId: actor,
    roles,
    incidentCommander: incident.commander,
  });
  if (!decision.allowed) return refuse(decision.reason);

  const commit = async (
    kind: string,
    patch: IncidentPatch,
    data: Record<string, unknown>,
    message: string,
    change?: IncidentChangeKind,
  ) => {
    const updated = await updateIncident(tx, incidentId, patch);
    await appendTimelineEvent(tx, { incidentId, actor, kind, at: now, data: { via, ...data } });
    await deps.notifier.refreshSummary(tx, updated);
    await deps.notifier.post(tx, updated, { text: message });
    if (change) await notify(tx, deps, { kind: change, incident: updated, before: incident, actor });
    return { status: "changed", message, incident: updated } satisfies Outcome;
  };

  switch (request.type) {
    case "ack":
    case "mitigate":
    case "resolve":
    case "reopen": {
      const t = transition(incident.state, request.type);
      if (t.outcome === "unchanged") return { status: "unchanged", message: t.reason, incident };
      if (t.outcome === "refused") return refuse(t.reason);
      const patch: IncidentPatch = { state: t.to };
      let message: string;
      if (request.type === "ack") {
        Object.assign(patch, { acknowledgedAt: now, acknowledgedBy: actor });
        message = `:eyes: ${mentionUser(actor)} acknowledged incident #${incidentId}.`;
      } else if (request.type === "mitigate") {
        Object.assign(patch, {
          mitigatedAt: now,
          ...(incident.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedBy: actor }),
        });
        message = `:adhesive_bandage: ${mentionUser(actor)} marked incident #${incidentId} mitigated.`;
      } else if (request.type === "resolve") {
        Object.assign(patch, {
          resolvedAt: now,
          resolvedBy: actor,
          resolutionSummary: request.summary ?? null,
          ...(incident.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedBy: actor }),
        });
        message = `:white_check_mark: ${mentionUser(actor)} resolved incident #${incidentId}.${request.summary ? ` ${escapeMrkdwn(truncate(request.summary, 2500))}` : ""}`;
      } else {
        Object.assign(patch, { resolvedAt: null, resolvedBy: null });
        message = `:arrows_counterclockwise: ${mentionUser(actor)} reopened incident #${incidentId}.`;
      }
      const kind = {
        ack: "acknowledged",
        mitigate: "mitigated",
        resolve: "resolved",
        reopen: "reopened",
      } as const;
      return commit(
        `incident.${kind[request.type]}`,
        patch,
        {
          from: t.from,
          to: t.to,
          ...(request.type === "resolve" && request.summary ? { summary: request.summary } : {}),
        },
        message,
        kind[request.type],
      );
    }
    case "severity": {
      if (incident.state === "resolved")
        return refuse("The incident is resolved; reopen it before changing its severity.");
      if (incident.severity === request.severity)
        return { status: "unchanged", message: `The severity is already ${request.severity}.`, incident };
      return commit(
        "incident.severity_changed",
        { severity: request.severity },
        { from: incident.severity, to: request.severity },
        `:rotating_light: ${mentionUser(actor)} changed severity ${incident.severity} → ${request.severity}.`,
        "severity_changed",
      );
    }
    case "role": {
      if (incident[request.role] === request.userId) {
        return {
          status: "unchanged",
          message: `${mentionUser(request.userId)} is already ${request.role}.`,
          incident,
        };
      }
      return commit(
        "incident.role_assigned",
        { [request.role]: request.userId },
        { role: request.role, user: request.userId, previous: incident[request.role] },
        `:bust_in_silhouette: ${mentionUser(actor)} made ${mentionUser(request.userId)} ${request.role}.`,
        "role_assigned",
      );
    }
    case "note": {
      if (request.requestKey && !(await claimRequestKey(tx, `note:${request.requestKey}`)))
        return { status: "unchanged", message: "That note is already on the timeline.", incident };
      await appendTimelineEvent(tx, {
        incidentId,
        actor,
        kind: "incident.note",
        at: now,
        data: { via, text: request.text },
      });
      return { status: "changed", message: "Note added to the timeline.", incident };
    }
    case "checklist": {
      const item = incident.checklist.find((c) => c.id === request.itemId);
      if (!item) return refuse(`There is no checklist item ${request.itemId} on incident #${incidentId}.`);
      if (Boolean(item.doneBy) === request.done)
        return { status: "unchanged", message: "That item is already in that state.", incident };
      const checklist = incident.checklist.map((c) =>
        c.id === request.itemId
          ? request.done
            ? { id: c.id, text: c.text, doneBy: actor, doneAt: now.toISOString() }
            : { id: c.id, text: c.text }
          : c,
      );
      const updated = await updateIncident(tx, incidentId, { checklist });
      await appendTimelineEvent(tx, {
        incidentId,
        actor,
        kind: request.done ? "checklist.ticked" : "checklist.unticked",
        at: now,
        data: { via, item: item.id, text: item.text },
      });
      await deps.notifier.refreshSummary(tx, updated);
      return {
        status: "changed",
        message: `${request.done ? "Ticked" : "Unticked"}: ${item.text}`,
        incident: updated,
      };
    }
  }
}

async function notify(
  tx: pg.PoolClient,
  deps: Pick<IncidentDeps, "changeListeners">,
  change: IncidentChange,
) {
  for (const listener of deps.changeListeners) await listener.onIncidentChange(tx, change);
}
