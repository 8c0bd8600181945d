import { ROLES } from "../core/incident/roles.js";
import type { Role } from "../core/incident/roles.js";
import { SEVERITIES } from "../core/incident/severity.js";
import { applyIncidentChangeIn } from "../incidents/apply-incident-command.js";
import type { IncidentChangeRequest } from "../incidents/apply-incident-command.js";
import type { IncidentDeps, Outcome } from "../incidents/deps.js";
import { getIncident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import type { Queryable } from "../store/pool.js";
import type { AlertGroup } from "../store/alerts/alert-groups.js";
import { clearPendingAction, lockGroup } from "../store/alerts/alert-groups.js";
import { ALERTMANAGER_ACTOR } from "./alert-timeline.js";

/**
 * Alertmanager may make the lifecycle changes configuration asks of it (auto-resolve,
 * reopen) whatever the permission policy says about people: the decision was made by
 * whoever wrote `alerts.on_all_resolved` and `reopen_window`.
 */
const ALERTMANAGER_ROLES: ReadonlySet<Role> = new Set(ROLES);

/**
 * Makes a group's pending lifecycle change in the transaction holding the group's row
 * lock, so a notification cannot slip in between the check and the change (a refire
 * cancelling an auto-resolve). The change itself is idempotent: after a crash the sweeper
 * runs it again and a change already made records nothing.
 */
export async function runPendingAction(deps: IncidentDeps, groupId: number): Promise<Outcome | null> {
  return withTransaction(deps.pool, async (tx) => {
    const group = await lockGroup(tx, groupId);
    const action = group?.pendingAction;
    if (!group || !action || group.incidentId === null) return null;
    const request = await requestFor(tx, group);
    const outcome = request
      ? await applyIncidentChangeIn(tx, deps, {
          incidentId: group.incidentId,
          actor: ALERTMANAGER_ACTOR,
          roles: ALERTMANAGER_ROLES,
          request,
          via: "alert",
        })
      : null;
    await clearPendingAction(tx, groupId, action);
    return outcome;
  });
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
