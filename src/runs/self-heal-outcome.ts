import { formatMs } from "../core/catalog/parameters.js";
import { endSentence, escapeMrkdwn, mentionUser, truncate } from "../core/mrkdwn.js";
import { formatInTimeZone } from "../core/time-format.js";
import { listPages } from "../store/escalations/escalations.js";
import { getIncident, lockIncident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import type { Incident } from "../store/incidents/incidents.js";
import { MAX_FOLLOW_UP_CHARS, addFollowUpIn } from "../incidents/follow-ups.js";
import { getRun } from "../store/runs/runs.js";
import type { Run } from "../store/runs/runs.js";
import { lockSelfHeal, lockSelfHealOfRun, transitionSelfHeal } from "../store/self-heals/self-heals.js";
import type { SelfHeal } from "../store/self-heals/self-heals.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ALERT_ACTOR } from "./auto-approval.js";
import type { RunDeps } from "./deps.js";

/** Seconds from the alert opening the incident to the fix finishing ("Self-healed … in 42 s"). */
const secondsSince = (from: Date, to: Date | null) =>
  Math.max(0, Math.round(((to ?? from).getTime() - from.getTime()) / 1000));

/**
 * Called in the transaction that ends a run (succeeded, failed, interrupted, or its
 * preview failed), after the incident's row lock: when the run was an incident's
 * self-heal, records how it went and moves paging on. Success: the channel is told what
 * changed and, with `page_after`, paging is held `page_after` longer for the alert to clear.
 * Failure: the failure is posted, a follow-up is added to the incident, and paging starts
 * at once, saying why.
 */
export async function settleSelfHealRun(tx: Queryable, deps: RunDeps, run: Run): Promise<void> {
  if (run.via !== "alert" || run.kind !== "remediation") return;
  const sh = await lockSelfHealOfRun(tx, run.id);
  if (!sh || (sh.state !== "running" && sh.state !== "recovered")) return;
  const incident = await getIncident(tx, sh.incidentId);
  if (!incident) return;
  const now = deps.clock.now();
  const ok = run.state === "succeeded";
  const cmd = `\`${escapeMrkdwn(sh.command)}\``;
  const changes = run.preview?.changes ?? [];
  const error = run.outcome?.error ?? run.outcome?.summary ?? run.state;
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor: ALERT_ACTOR,
    kind: ok ? "self_heal.succeeded" : "self_heal.failed",
    at: now,
    data: {
      run_id: run.id,
      command: run.command,
      target: run.target,
      ...(ok ? { changes, summary: run.outcome?.summary ?? "" } : { error }),
      seconds_since_declared: secondsSince(incident.declaredAt, now),
      ...(sh.state === "recovered" ? { alert_cleared_before_it_finished: true } : {}),
    },
  });
  if (!ok) await addFollowUp(tx, deps, incident, sh, run, error);
  if (sh.state === "recovered") return; // the alert cleared meanwhile: nobody is paged for it
  await transitionSelfHeal(tx, sh.id, ["running"], {
    state: ok ? "succeeded" : "failed",
    now,
    finished: true,
    ...(ok ? {} : { reason: error }),
  });
  if (!ok) {
    await deps.notifier.post(tx, incident, {
      text: `:x: Self-heal ${cmd} on \`${escapeMrkdwn(run.target)}\` failed: ${endSentence(escapeMrkdwn(truncate(error, 1500)))} A follow-up was added to the incident.`,
    });
    await deps.paging?.releaseEscalationHold(
      tx,
      incident,
      `the self-heal ${sh.command} failed: ${truncate(error, 300)}`,
    );
    await deps.notifier.refreshSummary(tx, incident);
    return;
  }
  let held = false;
  if (sh.pageAfterMs !== null && deps.paging) {
    const until = new Date(now.getTime() + sh.pageAfterMs);
    held = await deps.paging.holdEscalation(tx, incident.id, {
      until,
      reason: `${sh.command} succeeded; the alert has ${formatMs(sh.pageAfterMs)} to clear`,
      ifExpired: `the alert still fires ${formatMs(sh.pageAfterMs)} after the self-heal ${sh.command} succeeded`,
    });
    if (held)
      await deps.notifier.post(tx, incident, {
        text: `:white_check_mark: Self-heal ${cmd} done: ${changeList(changes, run)}. If the alert still fires at ${formatInTimeZone(until, deps.config.timezone, "HH:mm")} (${formatMs(sh.pageAfterMs)} from now), the on-call is paged.`,
      });
  }
  if (!held)
    await deps.notifier.post(tx, incident, {
      text: `:white_check_mark: Self-heal ${cmd} done: ${changeList(changes, run)}.`,
    });
}

/**
 * Called in the transaction of the notification that saw every alert of the incident's
 * group resolve. After a successful self-heal the incident's escalation, if still held,
 * stops — nobody is paged — and the channel gets the short report ("Self-healed by … in
 * 42 s; nobody was paged"). A self-heal not started yet is not started; one still running
 * finishes, but nobody is paged for it.
 */
export async function selfHealAlertCleared(tx: Queryable, deps: RunDeps, incidentId: number): Promise<void> {
  const incident = await lockIncident(tx, incidentId);
  const sh = await lockSelfHeal(tx, incidentId);
  if (!incident || !sh || !["succeeded", "pending", "running"].includes(sh.state)) return;
  const now = deps.clock.now();
  const cmd = `\`${escapeMrkdwn(sh.command)}\``;
  const stopped = await deps.paging?.stopHeldEscalation(
    tx,
    incidentId,
    sh.state === "succeeded" ? "self-healed" : "recovered",
    ALERT_ACTOR,
  );
  const paged = [...new Set((await listPages(tx, incidentId)).map((p) => p.userId))];
  const nobody = paged.length === 0 ? "nobody was paged" : `paged: ${paged.map(mentionUser).join(", ")}`;
  if (sh.state === "succeeded") {
    const run = sh.runId === null ? null : await getRun(tx, sh.runId);
    const seconds = secondsSince(incident.declaredAt, run?.finishedAt ?? now);
    await transitionSelfHeal(tx, sh.id, ["succeeded"], { state: "healed", now });
    await appendTimelineEvent(tx, {
      incidentId,
      actor: ALERT_ACTOR,
      kind: "self_heal.healed",
      at: now,
      data: {
        command: sh.command,
        run_id: sh.runId,
        seconds,
        paged,
        escalation: stopped ? "stopped before anyone was paged" : "not held",
      },
    });
    await deps.notifier.post(tx, incident, {
      text:
        paged.length === 0
          ? `:white_check_mark: Self-healed by ${cmd} in ${seconds} s; nobody was paged.`
          : `:white_check_mark: The alert cleared after the self-heal by ${cmd} (${seconds} s); ${nobody}.`,
    });
    return;
  }
  await transitionSelfHeal(tx, sh.id, [sh.state], {
    state: sh.state === "pending" ? "skipped" : "recovered",
    now,
    reason: "the alert cleared before it had finished",
    ...(sh.state === "pending" ? { finished: true } : {}),
  });
  await appendTimelineEvent(tx, {
    incidentId,
    actor: ALERT_ACTOR,
    kind: sh.state === "pending" ? "self_heal.not_run" : "self_heal.alert_cleared",
    at: now,
    data: {
      command: sh.command,
      route: { index: sh.routeIndex, match: sh.routeMatch },
      reason:
        sh.state === "pending"
          ? "the alert cleared before it could run"
          : "the alert cleared while it ran; it finishes, and nobody is paged for it",
      paged,
    },
  });
  if (stopped)
    await deps.notifier.post(tx, incident, {
      text: `:white_check_mark: The alert cleared ${sh.state === "pending" ? "before the self-heal ran" : `while the self-heal ${cmd} ran`}; ${nobody}.`,
    });
}

/** What changed, for the channel: the preview's lines, else the run's summary. */
function changeList(changes: readonly string[], run: Run): string {
  const text = changes.length ? changes.join("; ") : (run.outcome?.summary ?? "");
  return escapeMrkdwn(truncate(text, 1500));
}

/**
 * The failed self-heal's follow-up ("the ticket"): one of the incident's follow-ups, with
 * its tick button in the channel, recorded as `followup.added` (`source: self_heal`).
 */
async function addFollowUp(
  tx: Queryable,
  deps: RunDeps,
  incident: Incident,
  sh: SelfHeal,
  run: Run,
  error: string,
): Promise<void> {
  const match = Object.entries(sh.routeMatch)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  await addFollowUpIn(tx, deps, incident, {
    actor: ALERT_ACTOR,
    via: "alert",
    text: truncate(
      `The self-heal ${sh.command} on ${run.target} failed (${deps.redactor.text(error)}) for the alert route ${match || "matching every group"}: find out why, and fix the command, its target or the route before the alert fires again.`,
      MAX_FOLLOW_UP_CHARS,
    ),
    data: { source: "self_heal", run_id: run.id },
  });
}
