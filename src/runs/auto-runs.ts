import type { AlertAutomation } from "../alerts/ports.js";
import type { RunDeps, RunResult } from "./deps.js";
import { requestRun } from "./request-run.js";

/** The actor alert-driven runs are recorded under. */
const ALERT_ACTOR = "alertmanager";

/** What alert processing asks of runs, implemented with the run use-cases. */
export function runsAlertAutomation(deps: RunDeps): AlertAutomation {
  return {
    async runDiagnostics(incidentId, commands) {
      await runAutoDiagnostics(deps, incidentId, commands, ALERT_ACTOR);
    },
  };
}

/**
 * Alert enrichment: runs the named catalog diagnostics for an incident an alert opened,
 * each with its defaults (and the only configured target, when it has a target parameter).
 * Results are posted in the incident channel. Each request goes through the same policy as
 * a person's — except the requester role, since the routing rule is the authority — and
 * every refusal is recorded in the incident's timeline.
 */
export async function runAutoDiagnostics(
  deps: RunDeps,
  incidentId: number,
  commandNames: readonly string[],
  actor: string,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const name of commandNames) {
    const command = deps.catalog.commands.get(name);
    if (command && command.kind !== "diagnostic") {
      results.push({ status: "refused", message: `${name} is a remediation; use runAlertRemediation.` });
      continue;
    }
    results.push(
      await requestRun(deps, {
        command: name,
        params: {},
        actor,
        via: "alert",
        incidentId,
        system: { alertFiring: true },
      }),
    );
  }
  return results;
}

/**
 * Self-healing: requests a remediation for an alert incident. When the command is marked
 * `auto_approve_for_alerts` and its guardrails hold (the alert still fires, under
 * max_per_hour, past its cooldown) it runs without a human approval; otherwise it is
 * proposed for approval like any other request.
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
