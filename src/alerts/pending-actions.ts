import { ROLES } from "../core/incident/roles.js";
import type { Role } from "../core/incident/roles.js";
import { SEVERITIES } from "../core/incident/severity.js";
import { applyIncidentChange } from "../incidents/apply-incident-command.js";
import type { IncidentChangeRequest } from "../incidents/apply-incident-command.js";
import type { IncidentDeps, Outcome } from "../incidents/deps.js";
import { getIncident } from "../store/incidents/incidents.js";
import { connect } from "../store/pool.js";
import type { Queryable } from "../store/pool.js";
import type { AlertGroup } from "../store/alerts/alert-groups.js";
import { clearPendingAction, lockGroup } from "../store/alerts/alert-groups.js";
import { ALERTMANAGER_ACTOR } from "./alert-timeline.js";

/**
 * Incident deps in which Alertmanager may make the lifecycle changes configuration asks of
 * it (auto-resolve, reopen) whatever the permission policy says about people: the
 * decision was made by whoever wrote `alerts.on_all_resolved` and `reopen_window`.
 */
export function alertmanagerIncidentDeps(deps: IncidentDeps): IncidentDeps {
  const all: ReadonlySet<Role> = new Set(ROLES);
  return {
    ...deps,
    roles: {
      rolesOf: (userId) =>
        userId === ALERTMANAGER_ACTOR ? Promise.resolve(all) : deps.roles.rolesOf(userId),
    },
  };
}

/**
 * Makes a group's pending lifecycle change through applyIncidentChange, holding the group's
 * row lock meanwhile, so a notification cannot slip in between the check and the change
 * (a refire cancelling an auto-resolve). The change itself is idempotent: after a crash the
 * sweeper runs it again and a change already made records nothing.
 */
export async function runPendingAction(deps: IncidentDeps, groupId: number): Promise<Outcome | null> {
  const client = await connect(deps.pool);
  try {
    await client.query("BEGIN");
    const group = await lockGroup(client, groupId);
    const action = group?.pendingAction;
    if (!group || !action || group.incidentId === null) {
      await client.query("COMMIT");
      return null;
    }
    const request = await requestFor(client, group);
    const outcome = request
      ? await applyIncidentChange(
          alertmanagerIncidentDeps(deps),
          group.incidentId,
          ALERTMANAGER_ACTOR,
          request,
          "alert",
        )
      : null;
    await clearPendingAction(client, groupId, action);
    await client.query("COMMIT");
    return outcome;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The change a pending action asks for; null when there is nothing (left) to do. */
async function requestFor(db: Queryable, group: AlertGroup): Promise<IncidentChangeRequest | null> {
  switch (group.pendingAction) {
    case "auto_resolve":
      return { type: "resolve", summary: "Every alert of the group resolved (Alertmanager)." };
    case "reopen":
      return { type: "reopen" };
    case "raise_severity": {
      const incident = group.incidentId === null ? null : await getIncident(db, group.incidentId);
      const wanted = group.pendingSeverity;
      // Someone may have raised it further meanwhile: alerts never lower a severity.
      if (!incident || !wanted || SEVERITIES.indexOf(wanted) >= SEVERITIES.indexOf(incident.severity))
        return null;
      return { type: "severity", severity: wanted };
    }
    default:
      return null;
  }
}
