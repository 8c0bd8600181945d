import type pg from "pg";
import type { IncidentChange, IncidentChangeListener } from "../incidents/ports.js";
import type { PagingContext } from "./context.js";
import { armBreachTimer, armStatusReminder, armTimer } from "./incident-timers.js";
import { getEscalation } from "../store/escalations/escalations.js";
import { startEscalation, stopEscalation } from "./start-escalation.js";
import { cancelTimers, pendingTimer } from "../store/timers/timers.js";
import { withdrawPendingForIncident } from "../store/deliveries/page-deliveries.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";

/**
 * An ack stops every delivery not yet out, in the ack's transaction: the SMS due in a
 * minute and the call due in three are withdrawn (and recorded) before they are sent.
 */
async function withdrawDeliveries(tx: pg.PoolClient, incidentId: number, state: string, now: Date) {
  for (const d of await withdrawPendingForIncident(tx, incidentId, { since: now, now })) {
    await appendTimelineEvent(tx, {
      incidentId,
      actor: ENGINE_ACTOR,
      kind: "page.withdrawn",
      at: now,
      data: {
        page: d.pageId,
        user: d.userId,
        channel: d.methodType,
        method: d.methodId,
        reason: `the incident was ${state} before it was due`,
      },
    });
  }
}

/**
 * Starts and stops escalation and the incident timers inside the transaction of each
 * incident change, so that once an ack commits no page can follow it.
 *
 * A severity change keeps a running escalation as it is (its policy was snapshotted when
 * it started); when nothing was escalating (no policy for the old severity) and the
 * incident is still unacknowledged, escalation starts with the new severity's policy.
 * The response-target and status-update timers follow the new severity.
 */
export function pagingChangeListener(
  ctx: Pick<PagingContext, "config" | "clock" | "settings">,
): IncidentChangeListener {
  return {
    async onIncidentChange(tx: pg.PoolClient, change: IncidentChange) {
      const { incident, actor } = change;
      const now = ctx.clock.now();
      switch (change.kind) {
        case "declared":
          await startEscalation(tx, ctx, incident, actor, now);
          await armBreachTimer(tx, ctx, incident, now);
          await armStatusReminder(tx, ctx, incident, now);
          return;
        case "reopened":
          await cancelTimers(tx, incident.id, ["postmortem"], now);
          await startEscalation(tx, ctx, incident, actor, now);
          await armStatusReminder(tx, ctx, incident, now);
          return;
        case "acknowledged":
        case "mitigated":
          await stopEscalation(tx, incident.id, change.kind, actor, now);
          await withdrawDeliveries(tx, incident.id, change.kind, now);
          await cancelTimers(tx, incident.id, ["sla_breach"], now);
          return;
        case "resolved":
          await stopEscalation(tx, incident.id, "resolved", actor, now);
          await withdrawDeliveries(tx, incident.id, "resolved", now);
          await cancelTimers(tx, incident.id, ["sla_breach", "status_update"], now);
          await armTimer(tx, {
            incidentId: incident.id,
            kind: "postmortem",
            dueAt: new Date(now.getTime() + ctx.settings.postmortemReminderMs),
            now,
          });
          return;
        case "severity_changed": {
          if (incident.state === "resolved") return;
          if (incident.state === "declared") {
            if (await pendingTimer(tx, incident.id, "sla_breach"))
              await armBreachTimer(tx, ctx, incident, now);
            const esc = await getEscalation(tx, incident.id);
            if (!esc || esc.status === "none") await startEscalation(tx, ctx, incident, actor, now);
          }
          if (await pendingTimer(tx, incident.id, "status_update"))
            await armStatusReminder(tx, ctx, incident, now);
          return;
        }
        case "role_assigned":
          return;
      }
    },
  };
}
