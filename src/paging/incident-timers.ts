import { formatDuration } from "../core/duration.js";
import { lockIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import { announceTimer } from "./timer-job.js";
import type { TimerJob } from "./timer-job.js";
import { finishTimer, getTimer, lockTimer, setTimer, timerEverFired } from "../store/timers/timers.js";
import type { TimerKind } from "../store/timers/timers.js";

/** Sets the incident's timer of `kind` and announces it for after commit. */
export async function armTimer(
  tx: Queryable,
  t: { incidentId: number; kind: TimerKind; dueAt: Date; data?: Record<string, unknown>; now: Date },
): Promise<void> {
  const timer = await setTimer(tx, t);
  await announceTimer(tx, { type: "timer", timerId: timer.id, dueAt: timer.dueAt.getTime() });
}

/**
 * What "the state changed" means for status reminders: the newest human-facing incident
 * event (a change, a note). A reminder is skipped when this moved since the last one.
 */
export async function updateMark(db: Queryable, incidentId: number): Promise<number> {
  const res = await db.query<{ seq: number | null }>(
    "SELECT max(seq) AS seq FROM timeline_events WHERE incident_id = $1 AND kind LIKE 'incident.%'",
    [incidentId],
  );
  return res.rows[0]?.seq ?? 0;
}

/** Arms the response-target breach timer (unless a breach was already announced). */
export async function armBreachTimer(
  tx: Queryable,
  ctx: Pick<PagingContext, "config">,
  incident: Incident,
  now: Date,
): Promise<void> {
  if (await timerEverFired(tx, incident.id, "sla_breach")) return;
  const target = ctx.config.severities[incident.severity].responseTargetMs;
  await armTimer(tx, {
    incidentId: incident.id,
    kind: "sla_breach",
    dueAt: new Date(incident.declaredAt.getTime() + target),
    data: { severity: incident.severity, response_target_ms: target },
    now,
  });
}

/** Arms the next status-update reminder, remembering where the incident's record stands. */
export async function armStatusReminder(
  tx: Queryable,
  ctx: Pick<PagingContext, "config">,
  incident: Incident,
  now: Date,
): Promise<void> {
  const interval = ctx.config.severities[incident.severity].updateIntervalMs;
  await armTimer(tx, {
    incidentId: incident.id,
    kind: "status_update",
    dueAt: new Date(now.getTime() + interval),
    data: { mark: await updateMark(tx, incident.id), interval_ms: interval },
    now,
  });
}

/** What firing one timer did; `next` is a follow-up timer to set after commit. */
export type TimerOutcome =
  | { kind: "inactive" }
  | { kind: "wait"; next: TimerJob }
  | { kind: "fired" | "skipped" | "cancelled"; timer: TimerKind; next?: TimerJob };

/**
 * Fires one incident timer, at most once: under the incident's and the timer's row locks,
 * re-checks that it is pending and due and that the incident still calls for it.
 */
export async function processTimer(ctx: PagingContext, timerId: number, now: Date): Promise<TimerOutcome> {
  const before = await getTimer(ctx.pool, timerId);
  if (!before || before.status !== "pending") return { kind: "inactive" };
  return withTransaction(ctx.pool, async (tx): Promise<TimerOutcome> => {
    const incident = await lockIncident(tx, before.incidentId);
    const timer = await lockTimer(tx, timerId);
    if (!incident || !timer || timer.status !== "pending") return { kind: "inactive" };
    if (timer.dueAt.getTime() > now.getTime())
      return { kind: "wait", next: { type: "timer", timerId, dueAt: timer.dueAt.getTime() } };
    const finish = async (
      status: "fired" | "skipped" | "cancelled",
      next?: TimerJob,
    ): Promise<TimerOutcome> => {
      await finishTimer(tx, timerId, status, now);
      return { kind: status, timer: timer.kind, ...(next ? { next } : {}) };
    };
    switch (timer.kind) {
      case "sla_breach": {
        if (incident.state !== "declared") return finish("cancelled");
        const target = ctx.config.severities[incident.severity].responseTargetMs;
        await appendTimelineEvent(tx, {
          incidentId: incident.id,
          actor: ENGINE_ACTOR,
          kind: "sla.breached",
          at: now,
          data: {
            severity: incident.severity,
            response_target_ms: target,
            declared_at: incident.declaredAt.toISOString(),
          },
        });
        await ctx.notifier.post(tx, incident, {
          text: `:alarm_clock: Response target missed: incident #${incident.id} (${incident.severity}) was not acknowledged within ${formatDuration(target)}. \`/incident ack\` when someone is on it.`,
        });
        return finish("fired");
      }
      case "status_update": {
        if (incident.state === "resolved") return finish("cancelled");
        const mark = await updateMark(tx, incident.id);
        const changed = mark !== Number(timer.data.mark ?? -1);
        await finishTimer(tx, timerId, changed ? "skipped" : "fired", now);
        if (!changed) {
          const interval = ctx.config.severities[incident.severity].updateIntervalMs;
          await appendTimelineEvent(tx, {
            incidentId: incident.id,
            actor: ENGINE_ACTOR,
            kind: "status_update.reminded",
            at: now,
            data: { interval_ms: interval },
          });
          await ctx.notifier.post(tx, incident, {
            text: `:memo: No update on incident #${incident.id} for ${formatDuration(interval)}: post a status update (\`/incident note <what changed>\`).`,
          });
        }
        const next = await setTimer(tx, {
          incidentId: incident.id,
          kind: "status_update",
          dueAt: new Date(now.getTime() + ctx.config.severities[incident.severity].updateIntervalMs),
          data: { mark: await updateMark(tx, incident.id) },
          now,
        });
        return {
          kind: changed ? "skipped" : "fired",
          timer: "status_update",
          next: { type: "timer", timerId: next.id, dueAt: next.dueAt.getTime() },
        };
      }
      case "postmortem": {
        if (incident.state !== "resolved") return finish("cancelled");
        const to = incident.commander ?? incident.resolvedBy ?? incident.declaredBy;
        await ctx.pages.remindPostmortem(tx, incident, to);
        await appendTimelineEvent(tx, {
          incidentId: incident.id,
          actor: ENGINE_ACTOR,
          kind: "postmortem.reminded",
          at: now,
          data: { user: to },
        });
        return finish("fired");
      }
    }
  });
}
