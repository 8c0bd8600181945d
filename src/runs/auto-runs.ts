import type { AlertAutomation } from "../alerts/ports.js";
import type { RouteCommand } from "../core/alerts/routing.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ALERT_ACTOR } from "./auto-approval.js";
import type { RunDeps, RunResult } from "./deps.js";
import { requestRun, requestRunIn } from "./request-run.js";
import { planSelfHeal, startSelfHeal, sweepSelfHeals } from "./self-heal.js";
import { selfHealAlertCleared } from "./self-heal-outcome.js";

/** What alert processing asks of runs, implemented with the run use-cases. */
export function runsAlertAutomation(deps: RunDeps): AlertAutomation {
  return {
    planSelfHeal: (tx, plan) => planSelfHeal(tx, deps, plan),
    async runDiagnostics(incidentId, diagnostics) {
      await runAutoDiagnostics(deps, incidentId, diagnostics, ALERT_ACTOR, { wait: true });
    },
    runSelfHeal: (incidentId, opts) => startSelfHeal(deps, incidentId, opts),
    alertsCleared: (tx, incidentId) => selfHealAlertCleared(tx, deps, incidentId),
    sweep: () => sweepSelfHeals(deps),
  };
}

/**
 * Alert enrichment: runs the named catalog diagnostics for an incident an alert opened,
 * each with the route's parameters and its defaults (and the only configured target, when
 * it has a target parameter). Results are posted in the incident channel. Each request
 * goes through the same policy as a person's — except the requester role, since the
 * routing rule is the authority — and every refusal is recorded in the incident's
 * timeline: a remediation listed here is refused (it belongs in the route's self_heal).
 * `wait`: settle once every accepted diagnostic has finished, so a self-heal after them
 * changes nothing they are still reading.
 */
export async function runAutoDiagnostics(
  deps: RunDeps,
  incidentId: number,
  diagnostics: readonly (RouteCommand | string)[],
  actor: string,
  opts: { wait?: boolean } = {},
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const running: Promise<void>[] = [];
  for (const entry of diagnostics) {
    const d = typeof entry === "string" ? { command: entry, params: {} } : entry;
    const command = deps.catalog.commands.get(d.command);
    if (command && command.kind !== "diagnostic") {
      results.push(await refuseRemediation(deps, incidentId, d, actor));
      continue;
    }
    const { result, start } = await withTransaction(deps.pool, (tx) =>
      requestRunIn(
        tx,
        deps,
        {
          command: d.command,
          params: d.params,
          actor,
          via: "alert",
          incidentId,
          system: { alertFiring: true },
        },
        new Set(),
      ),
    );
    if (start) running.push(deps.executor.spawn(start));
    results.push(result);
  }
  if (opts.wait) await Promise.all(running);
  return results;
}

/** A remediation named where only diagnostics run: not run, and the timeline says why. */
async function refuseRemediation(
  deps: RunDeps,
  incidentId: number,
  d: RouteCommand,
  actor: string,
): Promise<RunResult> {
  const message = `${d.command} is a remediation: auto_diagnostics runs only diagnostics, so it was not run. Name it in the route's self_heal (with auto_approve_for_alerts in its policy) to run it for alerts.`;
  deps.log.warn({ incidentId, command: d.command }, "remediation listed under auto_diagnostics: not run");
  await withTransaction(deps.pool, (tx) =>
    appendTimelineEvent(tx, {
      incidentId,
      actor,
      kind: "run.refused",
      at: deps.clock.now(),
      data: {
        command: d.command,
        params: deps.redactor.value({ ...d.params }),
        via: "alert",
        reason: message,
      },
    }),
  );
  deps.observeRun?.(d.command, "refused");
  return { status: "refused", message, incidentId };
}

/**
 * Requests a remediation for an alert incident by hand (outside a route's self-heal): when
 * the command is marked `auto_approve_for_alerts` and its guardrails hold (the alert still
 * fires, under max_per_hour, past its cooldown, target not busy) it runs without a human
 * approval; otherwise it is proposed for approval like any other request.
 */
export async function runAlertRemediation(
  deps: RunDeps,
  incidentId: number,
  commandName: string,
  params: Readonly<Record<string, string>>,
  actor: string,
  opts: { alertFiring: boolean },
): Promise<RunResult> {
  return requestRun(deps, {
    command: commandName,
    params,
    actor,
    via: "alert",
    incidentId,
    system: { alertFiring: opts.alertFiring },
  });
}
