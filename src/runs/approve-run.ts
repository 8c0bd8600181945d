import { decideApproval } from "../core/catalog/policy.js";
import type { Via } from "../incidents/deps.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { RunDeps, RunResult } from "./deps.js";
import { startRun } from "./execute-run.js";
import { approversOf, insertApproval, lockRun, transitionRun } from "../store/runs/runs.js";

/**
 * One click on Approve or Deny, decided under the run's row lock with the clicker's roles
 * as they are now. Approvals are single-use: once a run has its approvals (or is denied,
 * expired, running or done) further clicks change nothing and are refused or ignored, so a
 * double-clicked Approve starts one run. A refusal is recorded in the timeline.
 */
export async function decideOnRun(
  deps: RunDeps,
  runId: number,
  actor: string,
  decision: "approve" | "deny",
  via: Via = "button",
): Promise<RunResult> {
  const roles = await deps.roles.rolesOf(actor);
  const result = await withTransaction(deps.pool, async (tx): Promise<RunResult & { start?: boolean }> => {
    const run = await lockRun(tx, runId);
    if (!run) return { status: "refused", message: `There is no run #${runId}.` };
    const chain = run.incidentId ?? WORKSPACE_CHAIN;
    const now = deps.clock.now();
    const approvedBy = await approversOf(tx, runId);
    const d = decideApproval(
      {
        id: run.id,
        command: run.command,
        state: run.state,
        requestedBy: run.requestedBy,
        expiresAt: run.expiresAt,
        approvalsNeeded: run.approvalsNeeded,
        approverRoles: run.approverRoles,
        approvedBy,
      },
      actor,
      roles,
      now,
      decision,
    );
    const base = { runId, ...(run.incidentId ? { incidentId: run.incidentId } : {}) };
    if (d.outcome === "unchanged") return { status: "unchanged", message: d.reason, ...base };
    if (d.outcome === "refused") {
      if (d.expired) {
        const expired = await transitionRun(tx, runId, ["awaiting_approval"], {
          state: "expired",
          finishedAt: now,
        });
        if (expired) {
          await appendTimelineEvent(tx, {
            incidentId: chain,
            actor: "firebreak",
            kind: "run.expired",
            at: now,
            data: { run_id: runId, command: run.command, target: run.target },
          });
          await deps.notices.updateApprovalMessage(tx, expired);
        }
      }
      await appendTimelineEvent(tx, {
        incidentId: chain,
        actor,
        kind: "run.approval_refused",
        at: now,
        data: { run_id: runId, command: run.command, decision, via, reason: d.reason },
      });
      return { status: "refused", message: d.reason, ...base };
    }
    if (!(await insertApproval(tx, runId, actor, decision, now)))
      return { status: "unchanged", message: `You already decided on run #${runId}.`, ...base };
    if (decision === "deny") {
      const denied = await transitionRun(tx, runId, ["awaiting_approval"], {
        state: "denied",
        finishedAt: now,
      });
      await appendTimelineEvent(tx, {
        incidentId: chain,
        actor,
        kind: "run.denied",
        at: now,
        data: {
          run_id: runId,
          command: run.command,
          target: run.target,
          withdrawn: actor === run.requestedBy,
          via,
        },
      });
      if (denied) await deps.notices.updateApprovalMessage(tx, denied);
      return { status: "accepted", message: `Run #${runId} denied: nothing ran.`, ...base };
    }
    const count = approvedBy.length + 1;
    await appendTimelineEvent(tx, {
      incidentId: chain,
      actor,
      kind: "run.approved",
      at: now,
      data: {
        run_id: runId,
        command: run.command,
        target: run.target,
        approvals: count,
        needed: run.approvalsNeeded,
        via,
      },
    });
    if (!d.complete) {
      await deps.notices.updateApprovalMessage(tx, run);
      return {
        status: "accepted",
        message: `Approved run #${runId}; it needs ${run.approvalsNeeded - count} more approval${run.approvalsNeeded - count === 1 ? "" : "s"}.`,
        ...base,
      };
    }
    const approved = await transitionRun(tx, runId, ["awaiting_approval"], { state: "approved" });
    if (approved) await deps.notices.updateApprovalMessage(tx, approved);
    return { status: "accepted", message: `Approved run #${runId}; running it.`, start: true, ...base };
  });
  if (result.start) void deps.executor.spawn(() => startRun(deps, runId));
  const { start: _start, ...rest } = result;
  return rest;
}
