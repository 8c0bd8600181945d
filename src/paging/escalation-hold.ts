import { endSentence, escapeMrkdwn } from "../core/mrkdwn.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { PagingHold } from "../incidents/ports.js";
import type { Queryable } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { cancelTimers } from "../store/timers/timers.js";
import {
  endHeldEscalation,
  releaseEscalationHold,
  setEscalationHold,
} from "../store/escalations/escalations.js";
import type { EscalationRow } from "../store/escalations/escalations.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import { escalationJob } from "./process-escalation.js";
import { announceTimer } from "./timer-job.js";

/**
 * Holds an incident's escalation (in the caller's transaction, under the incident's lock):
 * nobody is paged before `until`; then the timer looks again and pages, saying
 * `ifExpired`, unless the hold was moved, released or the escalation stopped meanwhile.
 * Only an escalation that has paged nobody yet can be held. The state is the escalation's
 * row in Postgres, so the hold survives restarts and is the same for every replica.
 */
export async function holdEscalation(
  tx: Queryable,
  ctx: Pick<PagingContext, "clock">,
  incidentId: number,
  hold: PagingHold,
): Promise<boolean> {
  const now = ctx.clock.now();
  const esc = await setEscalationHold(tx, incidentId, {
    until: hold.until,
    reason: hold.reason,
    expiryReason: hold.ifExpired,
    now,
  });
  if (!esc) return false;
  await appendTimelineEvent(tx, {
    incidentId,
    actor: ENGINE_ACTOR,
    kind: "escalation.held",
    at: now,
    data: {
      policy: esc.policyName,
      run: esc.run,
      until: hold.until.toISOString(),
      reason: hold.reason,
      if_expired: hold.ifExpired,
    },
  });
  await announceTimer(tx, escalationJob(esc, hold.until));
  return true;
}

/**
 * Ends a hold at once: paging starts now, and the channel, the timeline and the first page
 * say `why`. False when nothing was held (paging already started, or no policy).
 */
export async function releaseHold(
  tx: Queryable,
  ctx: Pick<PagingContext, "clock" | "notifier">,
  incident: Pick<Incident, "id" | "channelId">,
  why: string,
  actor: string = ENGINE_ACTOR,
): Promise<EscalationRow | null> {
  const now = ctx.clock.now();
  const esc = await releaseEscalationHold(tx, incident.id, { note: why, now });
  if (!esc) return null;
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor,
    kind: "escalation.hold_released",
    at: now,
    data: { policy: esc.policyName, run: esc.run, reason: why },
  });
  await ctx.notifier.post(tx, incident, {
    text: `:pager: Paging starts now (policy *${escapeMrkdwn(esc.policyName ?? "")}*): ${endSentence(escapeMrkdwn(why))}`,
  });
  await announceTimer(tx, escalationJob(esc, now));
  return esc;
}

/**
 * Stops an escalation still held (nobody was paged): the alert cleared while a self-heal
 * had its chance. False when it was not held any more (someone was paged, or it ended).
 */
export async function stopHeldEscalation(
  tx: Queryable,
  ctx: Pick<PagingContext, "clock">,
  incidentId: number,
  reason: string,
  actor: string,
): Promise<boolean> {
  const now = ctx.clock.now();
  const stopped = await endHeldEscalation(tx, incidentId, reason, now);
  if (!stopped) return false;
  // Nobody had to respond: no response-target breach to announce either.
  await cancelTimers(tx, incidentId, ["sla_breach"], now);
  await appendTimelineEvent(tx, {
    incidentId,
    actor,
    kind: "escalation.stopped",
    at: now,
    data: { reason, run: stopped.run, at_step: stopped.currentStep, at_repeat: stopped.currentRepeat },
  });
  return true;
}
