import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { RunDeps } from "./deps.js";
import { isAlertRemediation, startWaitingRuns } from "./execute-run.js";
import { getRun, runIdsWhere, transitionRun } from "../store/runs/runs.js";
import { lockIncident } from "../store/incidents/incidents.js";
import { settleSelfHealRun } from "./self-heal-outcome.js";

/** What one sweep did. */
export interface SweepReport {
  expired: number[];
  interrupted: number[];
}

/**
 * The runs' housekeeping, run by workers at start and every few seconds: expires approval
 * requests past their time, and marks as interrupted any run still "running" past its
 * deadline (timeout plus a grace period) — its process died mid-run. An interrupted run
 * is reported in the channel and never re-run: someone must look at the target and ask
 * again. Approved runs that waited for a busy target are started.
 */
export async function sweepRuns(deps: RunDeps): Promise<SweepReport> {
  const report: SweepReport = { expired: [], interrupted: [] };
  const now = deps.clock.now();
  for (const id of await runIdsWhere(deps.pool, "expired_approvals", now)) {
    await withTransaction(deps.pool, async (tx) => {
      const run = await transitionRun(tx, id, ["awaiting_approval"], { state: "expired", finishedAt: now });
      if (!run) return;
      report.expired.push(id);
      await appendTimelineEvent(tx, {
        incidentId: run.incidentId ?? WORKSPACE_CHAIN,
        actor: "firebreak",
        kind: "run.expired",
        at: now,
        data: { run_id: id, command: run.command, target: run.target },
      });
      await deps.notices.updateApprovalMessage(tx, run);
    });
  }
  for (const id of await runIdsWhere(deps.pool, "dead_running", now)) {
    const before = await getRun(deps.pool, id);
    await withTransaction(deps.pool, async (tx) => {
      if (before && isAlertRemediation(before) && before.incidentId !== null)
        await lockIncident(tx, before.incidentId);
      const run = await transitionRun(tx, id, ["running"], {
        state: "interrupted",
        finishedAt: now,
        outcome: {
          status: "error",
          summary: "interrupted: Firebreak stopped while it ran; not re-run",
          error: "interrupted",
        },
      });
      if (!run) return;
      report.interrupted.push(id);
      await appendTimelineEvent(tx, {
        incidentId: run.incidentId ?? WORKSPACE_CHAIN,
        actor: "firebreak",
        kind: "run.interrupted",
        at: now,
        data: {
          run_id: id,
          command: run.command,
          target: run.target,
          started_at: run.startedAt?.toISOString() ?? null,
          reason: "still running past its deadline: the process running it stopped; it is not re-run",
        },
      });
      await deps.notices.postRunResult(tx, run, "");
      await deps.notices.updateApprovalMessage(tx, run);
      await settleSelfHealRun(tx, deps, run);
    });
  }
  await startWaitingRuns(deps);
  return report;
}
