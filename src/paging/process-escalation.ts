import { nextEscalation } from "../core/oncall/next-escalation.js";
import type { EscalationState } from "../core/oncall/next-escalation.js";
import type { SkippedStep } from "../core/oncall/types.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import {
  advanceEscalation,
  endEscalation,
  lockIncidentAndEscalation,
  releaseEscalationHold,
  setEscalationDue,
} from "../store/escalations/escalations.js";
import { endSentence, escapeMrkdwn } from "../core/mrkdwn.js";
import type { EscalationRow } from "../store/escalations/escalations.js";
import { sendPages } from "./page-delivery.js";
import { loadEscalationForPaging } from "./target-directory.js";
import type { TimerJob } from "./timer-job.js";

/** What one look at an incident's escalation did. `next`: the timer to set after commit. */
export type EscalationOutcome =
  | { kind: "inactive" }
  | { kind: "wait"; next: TimerJob }
  | { kind: "paged"; step: number; repeat: number; userIds: string[]; next: TimerJob }
  | { kind: "exhausted" }
  | { kind: "stopped"; reason: "acknowledged" | "resolved" };

/** The timer that looks at `esc` again at `dueAt`. */
export function escalationJob(
  esc: Pick<EscalationRow, "incidentId" | "run" | "currentStep" | "currentRepeat">,
  dueAt: Date,
): TimerJob {
  return {
    type: "escalation",
    incidentId: esc.incidentId,
    run: esc.run,
    step: esc.currentStep,
    repeat: esc.currentRepeat,
    dueAt: dueAt.getTime(),
  };
}

function engineState(esc: EscalationRow, incident: Incident): EscalationState {
  const acknowledged = incident.state === "acknowledged" || incident.state === "mitigated";
  return {
    snapshot: esc.snapshot!,
    startedAt: esc.startedAt,
    ...(acknowledged ? { acknowledgedAt: incident.acknowledgedAt ?? esc.startedAt } : {}),
    ...(incident.state === "resolved" ? { resolvedAt: incident.resolvedAt ?? esc.startedAt } : {}),
    currentStep: esc.currentStep,
    currentRepeat: esc.currentRepeat,
    stepStartedAt: esc.stepStartedAt,
    skipToNext: esc.skipToNext,
  };
}

async function recordSkipped(tx: Queryable, incidentId: number, skipped: SkippedStep[], now: Date) {
  for (const s of skipped) {
    await appendTimelineEvent(tx, {
      incidentId,
      actor: ENGINE_ACTOR,
      kind: "escalation.empty_step",
      at: now,
      data: { step: s.step, repeat: s.repeat, reason: s.reason, action: "escalated at once" },
    });
  }
}

/**
 * The escalation engine's one move, made on every timer and reconcile: under the
 * incident's and the escalation's row locks, re-read the state of record, ask the pure
 * engine what is due at `now`, and page, wait, stop or give up accordingly — pages,
 * timeline and cursor in one transaction. Safe to run twice, early, late or concurrently:
 * a second look at the same moment finds the cursor moved and waits.
 */
export async function processEscalation(
  ctx: PagingContext,
  incidentId: number,
  now: Date,
): Promise<EscalationOutcome> {
  // Read outside the transaction (it may ask Slack for usergroup members); pure once loaded.
  // The escalation is only looked at here for its run and policy: it is read again, locked.
  const loaded = await loadEscalationForPaging(ctx, ctx.pool, incidentId, now);
  if (!loaded) return { kind: "inactive" };
  const { escalation: before, resolve } = loaded;
  return withTransaction(ctx.pool, async (tx): Promise<EscalationOutcome> => {
    // Same lock order as every incident change (incident, then escalation): no deadlock with an ack.
    const { incident, escalation: esc } = await lockIncidentAndEscalation(tx, incidentId);
    if (!incident || !esc || esc.status !== "active" || !esc.snapshot) return { kind: "inactive" };
    if (esc.run !== before.run) return { kind: "wait", next: escalationJob(esc, now) };
    let pageNote = esc.pageNote;
    if (esc.heldUntil && incident.state === "declared") {
      // Held while a self-heal has its chance: nobody is paged before the hold ends.
      if (now.getTime() < esc.heldUntil.getTime()) {
        if (esc.nextDueAt?.getTime() !== esc.heldUntil.getTime())
          await setEscalationDue(tx, incidentId, esc.heldUntil, { now });
        return { kind: "wait", next: escalationJob(esc, esc.heldUntil) };
      }
      pageNote = esc.holdExpiryReason ?? "the hold on paging ran out";
      await releaseEscalationHold(tx, incidentId, { note: pageNote, now });
      await appendTimelineEvent(tx, {
        incidentId,
        actor: ENGINE_ACTOR,
        kind: "escalation.hold_expired",
        at: now,
        data: {
          policy: esc.policyName,
          run: esc.run,
          held_until: esc.heldUntil.toISOString(),
          reason: pageNote,
        },
      });
      await ctx.notifier.post(tx, incident, {
        text: `:pager: Paging starts now (policy *${escapeMrkdwn(esc.policyName ?? "")}*): ${endSentence(escapeMrkdwn(pageNote))}`,
      });
    }
    const decision = nextEscalation(engineState(esc, incident), now, resolve);
    switch (decision.kind) {
      case "stopped": {
        await endEscalation(tx, incidentId, "stopped", decision.reason, now);
        await appendTimelineEvent(tx, {
          incidentId,
          actor: ENGINE_ACTOR,
          kind: "escalation.stopped",
          at: now,
          data: { reason: decision.reason, run: esc.run },
        });
        return { kind: "stopped", reason: decision.reason };
      }
      case "wait": {
        if (esc.nextDueAt?.getTime() !== decision.dueAt.getTime())
          await setEscalationDue(tx, incidentId, decision.dueAt, { now });
        return { kind: "wait", next: escalationJob(esc, decision.dueAt) };
      }
      case "exhausted": {
        await recordSkipped(tx, incidentId, decision.skipped, now);
        await endEscalation(tx, incidentId, "exhausted", "nobody acknowledged", now);
        await appendTimelineEvent(tx, {
          incidentId,
          actor: ENGINE_ACTOR,
          kind: "escalation.exhausted",
          at: now,
          data: { policy: esc.policyName, run: esc.run, paged_any: esc.currentStep >= 0 },
        });
        await ctx.notifier.post(tx, incident, {
          text:
            esc.currentStep >= 0
              ? `:warning: Nobody acknowledged incident #${incidentId}: the escalation policy *${esc.policyName}* has run out. Page someone with \`/incident page @user\`.`
              : `:warning: Nobody could be paged for incident #${incidentId}: every step of *${esc.policyName}* is empty. Page someone with \`/incident page @user\`.`,
        });
        await ctx.notifier.refreshSummary(tx, incident);
        await ctx.beforeCommit?.(incidentId);
        return { kind: "exhausted" };
      }
      case "page": {
        await recordSkipped(tx, incidentId, decision.skipped, now);
        const step = esc.snapshot.steps[decision.step]!;
        await appendTimelineEvent(tx, {
          incidentId,
          actor: ENGINE_ACTOR,
          kind: "escalation.step",
          at: now,
          data: {
            policy: esc.policyName,
            run: esc.run,
            step: decision.step,
            repeat: decision.repeat,
            users: decision.userIds,
            ack_timeout_ms: step.ackTimeoutMs,
            ...(esc.skipToNext ? { escalated_now: true } : {}),
            ...(pageNote ? { why: pageNote } : {}),
          },
        });
        const dueAt = esc.skipToNext || !esc.nextDueAt ? now : esc.nextDueAt;
        await sendPages(tx, ctx, incident, {
          run: esc.run,
          step: decision.step,
          repeat: decision.repeat,
          userIds: decision.userIds,
          cause: {
            kind: "escalation",
            policy: esc.policyName ?? esc.snapshot.name,
            step: decision.step,
            steps: esc.snapshot.steps.length,
            repeat: decision.repeat,
            ackTimeoutMs: step.ackTimeoutMs,
            ...(pageNote ? { note: pageNote } : {}),
          },
          actor: ENGINE_ACTOR,
          dueAt: dueAt.getTime() > now.getTime() ? now : dueAt,
          now,
        });
        await advanceEscalation(tx, incidentId, {
          step: decision.step,
          repeat: decision.repeat,
          now,
          nextDueAt: decision.nextDueAt,
        });
        await ctx.notifier.refreshSummary(tx, incident);
        await ctx.beforeCommit?.(incidentId);
        return {
          kind: "paged",
          step: decision.step,
          repeat: decision.repeat,
          userIds: decision.userIds,
          next: escalationJob(
            { incidentId, run: esc.run, currentStep: decision.step, currentRepeat: decision.repeat },
            decision.nextDueAt,
          ),
        };
      }
    }
  });
}
