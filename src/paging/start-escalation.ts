import { policyForSeverity } from "../core/oncall/runbook-policy.js";
import { snapshotPolicy } from "../core/oncall/policy-snapshot.js";
import type { EscalationPolicy } from "../core/oncall/types.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import { endEscalation, getEscalation, upsertEscalationStart } from "../store/escalations/escalations.js";
import { escalationJob } from "./process-escalation.js";
import { announceTimer } from "./timer-job.js";

/** Which policy pages for `incident`: the one its declaration asked for (alert routing), else by severity, else `default`. */
export function choosePolicy(
  ctx: Pick<PagingContext, "config">,
  incident: Incident,
): EscalationPolicy | undefined {
  const { escalation_policies: policies, severity_policies: bySeverity } = ctx.config.paging;
  const asked = incident.escalationPolicy;
  if (asked && policies[asked]) return policies[asked];
  return policyForSeverity(policies, bySeverity, incident.severity);
}

/**
 * Starts escalating `incident` (in the transaction declaring or reopening it): snapshots
 * the policy, stores the cursor due at once, records it, and announces the timer for after
 * commit. With no policy nothing is paged, and that is recorded once per incident.
 */
export async function startEscalation(
  tx: Queryable,
  ctx: Pick<PagingContext, "config">,
  incident: Incident,
  actor: string,
  now: Date,
): Promise<void> {
  const previous = await getEscalation(tx, incident.id);
  const policy = choosePolicy(ctx, incident);
  if (!policy) {
    if (previous?.status === "none") return;
    await upsertEscalationStart(tx, { incidentId: incident.id, policy: null, now });
    await appendTimelineEvent(tx, {
      incidentId: incident.id,
      actor: ENGINE_ACTOR,
      kind: "escalation.none",
      at: now,
      data: {
        severity: incident.severity,
        reason: `no escalation policy for ${incident.severity} in severity_policies and none named default: nobody is paged automatically`,
      },
    });
    return;
  }
  const snapshot = snapshotPolicy(policy);
  const esc = await upsertEscalationStart(tx, { incidentId: incident.id, policy: snapshot, now });
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor,
    kind: "escalation.started",
    at: now,
    data: { policy: snapshot.name, run: esc.run, repeat: snapshot.repeat, steps: snapshot.steps.length },
  });
  await announceTimer(tx, escalationJob(esc, now));
}

/** Stops an active escalation (ack, mitigate, resolve) in the transaction making that change. */
export async function stopEscalation(
  tx: Queryable,
  incidentId: number,
  reason: "acknowledged" | "mitigated" | "resolved",
  actor: string,
  now: Date,
): Promise<void> {
  const stopped = await endEscalation(tx, incidentId, "stopped", reason, now);
  if (!stopped) return;
  await appendTimelineEvent(tx, {
    incidentId,
    actor,
    kind: "escalation.stopped",
    at: now,
    data: { reason, run: stopped.run, at_step: stopped.currentStep, at_repeat: stopped.currentRepeat },
  });
}
