import { ROLES } from "../core/incident/roles.js";
import type { Role } from "../core/incident/roles.js";
import { applyIncidentChange } from "../incidents/apply-incident-command.js";
import type { IncidentDeps, Outcome } from "../incidents/deps.js";
import { connect } from "../store/pool.js";
import { clearPendingAction, lockGroup } from "./alert-store.js";
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
    const outcome = await applyIncidentChange(
      alertmanagerIncidentDeps(deps),
      group.incidentId,
      ALERTMANAGER_ACTOR,
      action === "auto_resolve"
        ? { type: "resolve", summary: "Every alert of the group resolved (Alertmanager)." }
        : { type: "reopen" },
      "alert",
    );
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
