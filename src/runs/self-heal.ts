import { describeRouteMatch } from "../core/alerts/routing.js";
import type { SelfHealPlan } from "../alerts/ports.js";
import { formatMs } from "../core/catalog/parameters.js";
import { escapeMrkdwn } from "../core/mrkdwn.js";
import { formatInTimeZone } from "../core/time-format.js";
import { groupStatus } from "../store/alerts/alert-groups.js";
import type { Incident } from "../store/incidents/incidents.js";
import { getIncident, lockIncident } from "../store/incidents/incidents.js";
import { getEscalation } from "../store/escalations/escalations.js";
import type { Queryable } from "../store/pool.js";
import { withTransaction } from "../store/pool.js";
import {
  insertSelfHeal,
  lockSelfHeal,
  pendingSelfHeals,
  transitionSelfHeal,
} from "../store/self-heals/self-heals.js";
import type { SelfHeal } from "../store/self-heals/self-heals.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ALERT_ACTOR } from "./auto-approval.js";
import type { RunDeps } from "./deps.js";
import { PREVIEW_TIMEOUT_MS } from "./preview-run.js";
import { requestRunIn } from "./request-run.js";

/**
 * How long a self-heal may take to start once its incident opened: the channel (30 s at
 * most), the route's diagnostics, and the sweeper's pickup after a crash.
 */
export const SELF_HEAL_START_BUDGET_MS = 120_000;
/** A self-heal still pending this long after its incident opened is started by the sweeper. */
export const SELF_HEAL_SWEEP_AFTER_MS = 90_000;
/** A run's grace past its timeout before it counts as interrupted (as for every run). */
const RUN_GRACE_MS = 30_000;

/**
 * In the transaction that opens the incident: records the route's self-heal (pending until
 * the channel exists) and, with `page_after`, holds paging for as long as the fix may take
 * to start and finish plus `page_after` — the escalation's first page is deferred in
 * Postgres, so a restart or another replica keeps the hold, and a hold nobody moves pages
 * when it runs out.
 */
export async function planSelfHeal(tx: Queryable, deps: RunDeps, plan: SelfHealPlan): Promise<void> {
  const now = deps.clock.now();
  const { incident, selfHeal } = plan;
  const route = deps.config.alerts.routes[plan.routeIndex];
  const match = route ? describeRouteMatch(route) : {};
  await insertSelfHeal(tx, {
    incidentId: incident.id,
    groupId: plan.groupId,
    routeIndex: plan.routeIndex,
    routeMatch: match,
    command: selfHeal.command,
    params: { ...selfHeal.params },
    pageAfterMs: selfHeal.pageAfterMs ?? null,
    now,
  });
  let heldUntil: Date | null = null;
  if (selfHeal.pageAfterMs !== undefined && deps.paging) {
    const timeoutMs = deps.catalog.commands.get(selfHeal.command)?.policy.timeoutMs ?? 30_000;
    const until = new Date(
      now.getTime() +
        SELF_HEAL_START_BUDGET_MS +
        PREVIEW_TIMEOUT_MS +
        timeoutMs +
        RUN_GRACE_MS +
        selfHeal.pageAfterMs,
    );
    const held = await deps.paging.holdEscalation(tx, incident.id, {
      until,
      reason: `the self-heal ${selfHeal.command} has its chance first (page_after ${formatMs(selfHeal.pageAfterMs)})`,
      ifExpired: `the self-heal ${selfHeal.command} did not finish in time`,
    });
    if (held) heldUntil = until;
  }
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor: ALERT_ACTOR,
    kind: "self_heal.planned",
    at: now,
    data: {
      command: selfHeal.command,
      params: deps.redactor.value({ ...selfHeal.params }),
      route: { index: plan.routeIndex, match },
      page_after_ms: selfHeal.pageAfterMs ?? null,
      paging: heldUntil ? `held until ${heldUntil.toISOString()}` : "not held",
    },
  });
}

/**
 * Starts an incident's self-heal, once (under its row lock: a second process, replica or
 * the sweeper finds it started). It is requested like any run for the alert — the same
 * policy, preview, re-check and once-only start — and runs without a human approval only
 * while the alert fires and within its guardrails (`auto_approve_for_alerts`: hourly
 * limit and cooldown per target, target not busy). Otherwise nothing runs on its own:
 * a guardrail's refusal is offered for approval, a policy refusal is recorded, and a held
 * escalation starts paging at once, saying why. `channelMissing`: the incident's channel
 * never appeared, so nothing is started and paging is released.
 */
export async function startSelfHeal(
  deps: RunDeps,
  incidentId: number,
  opts: { channelMissing?: boolean } = {},
): Promise<void> {
  const start = await withTransaction(deps.pool, async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const sh = await lockSelfHeal(tx, incidentId);
    if (!incident || !sh || sh.state !== "pending") return null;
    const skip = (reason: string, page: boolean) => skipSelfHeal(tx, deps, incident, sh, reason, page);
    if (incident.state === "resolved") return skip("the incident was resolved before it could run", false);
    if (opts.channelMissing || !incident.channelId)
      return skip("the incident's channel was not created in time, so its result could not be shown", true);
    const firing = (await groupStatus(tx, sh.groupId)) === "firing";
    if (!firing) {
      await deps.paging?.stopHeldEscalation(
        tx,
        incidentId,
        "recovered before the self-heal ran",
        ALERT_ACTOR,
      );
      return skip("the alert cleared before it could run", false);
    }
    const now = deps.clock.now();
    const { result, start } = await requestRunIn(
      tx,
      deps,
      {
        command: sh.command,
        params: sh.params,
        actor: ALERT_ACTOR,
        via: "alert",
        incidentId,
        system: { alertFiring: firing, route: { index: sh.routeIndex, match: sh.routeMatch } },
      },
      new Set(),
    );
    const cmd = `\`${escapeMrkdwn(sh.command)}\``;
    if (result.status !== "accepted" || result.runId === undefined) {
      await transitionSelfHeal(tx, sh.id, ["pending"], {
        state: "refused",
        now,
        reason: result.message,
        finished: true,
      });
      await notRun(tx, deps, incidentId, sh, result.message, null);
      await deps.notifier.post(tx, incident, {
        text: `:no_entry: Self-heal ${cmd} did not run: ${escapeMrkdwn(result.message)}`,
      });
      await deps.paging?.releaseEscalationHold(
        tx,
        incident,
        `the self-heal ${sh.command} was refused: ${result.message}`,
      );
      return start;
    }
    if (result.autoApproval?.approved) {
      await transitionSelfHeal(tx, sh.id, ["pending"], {
        state: "running",
        now,
        runId: result.runId,
        started: true,
      });
      await deps.notifier.post(tx, incident, {
        text: `:adhesive_bandage: Self-heal first: running ${cmd} (run #${result.runId}) without a human approval, pre-approved for this alert by its policy. ${await heldText(tx, deps, sh)}`,
      });
      return start;
    }
    const reason = result.autoApproval?.reason ?? "it is not pre-approved";
    await transitionSelfHeal(tx, sh.id, ["pending"], { state: "offered", now, runId: result.runId, reason });
    await notRun(tx, deps, incidentId, sh, reason, result.runId);
    await deps.notifier.post(tx, incident, {
      text: `:raised_hand: Self-heal ${cmd} was not run on its own: ${escapeMrkdwn(reason)}. It is offered for approval (run #${result.runId}): whoever is paged can run it with one click.`,
    });
    await deps.paging?.releaseEscalationHold(
      tx,
      incident,
      `a guardrail refused the self-heal ${sh.command} (${reason}); it is offered for approval`,
    );
    await deps.notifier.refreshSummary(tx, incident);
    return start;
  });
  if (start) void deps.executor.spawn(start);
}

/** Starts self-heals a crash (or a slow channel) left pending; gives up on those whose channel never came. */
export async function sweepSelfHeals(deps: RunDeps): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const incidentId of await pendingSelfHeals(deps.pool, new Date(now - SELF_HEAL_SWEEP_AFTER_MS), 50)) {
    const incident = await getIncident(deps.pool, incidentId);
    if (!incident) continue;
    const late = now - incident.declaredAt.getTime() > SELF_HEAL_START_BUDGET_MS;
    if (!incident.channelId && !late) continue;
    await startSelfHeal(deps, incidentId, { channelMissing: !incident.channelId });
  }
}

async function skipSelfHeal(
  tx: Queryable,
  deps: RunDeps,
  incident: Incident,
  sh: SelfHeal,
  reason: string,
  page: boolean,
): Promise<null> {
  await transitionSelfHeal(tx, sh.id, ["pending"], {
    state: "skipped",
    now: deps.clock.now(),
    reason,
    finished: true,
  });
  await notRun(tx, deps, incident.id, sh, reason, null);
  if (page)
    await deps.paging?.releaseEscalationHold(
      tx,
      incident,
      `the self-heal ${sh.command} did not run: ${reason}`,
    );
  return null;
}

/** Every configured remediation that did not run says why in the timeline. */
export async function notRun(
  tx: Queryable,
  deps: RunDeps,
  incidentId: number,
  sh: Pick<SelfHeal, "command" | "routeIndex" | "routeMatch">,
  reason: string,
  offeredRunId: number | null,
): Promise<void> {
  await appendTimelineEvent(tx, {
    incidentId,
    actor: ALERT_ACTOR,
    kind: "self_heal.not_run",
    at: deps.clock.now(),
    data: {
      command: sh.command,
      route: { index: sh.routeIndex, match: sh.routeMatch },
      reason: deps.redactor.text(reason),
      ...(offeredRunId !== null ? { offered_for_approval: offeredRunId } : {}),
    },
  });
}

/** "Paging is held until 03:12 …" or "Paging was not held …", for the channel. */
async function heldText(tx: Queryable, deps: RunDeps, sh: SelfHeal): Promise<string> {
  if (sh.pageAfterMs === null)
    return "Paging was not held (the route sets no page_after): the on-call is paged as usual.";
  const esc = await getEscalation(tx, sh.incidentId);
  return esc?.heldUntil
    ? `Nobody is paged unless it fails, is refused, or the alert still fires ${formatMs(sh.pageAfterMs)} after it (paging is held until ${formatInTimeZone(esc.heldUntil, deps.config.timezone, "HH:mm")} at the latest).`
    : "";
}
