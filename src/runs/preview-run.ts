import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { RunDeps } from "./deps.js";
import { isAlertRemediation, startRun } from "./execute-run.js";
import { lockIncident } from "../store/incidents/incidents.js";
import { settleSelfHealRun } from "./self-heal-outcome.js";
import { getRun, transitionRun } from "../store/runs/runs.js";
import type { StoredPreview } from "../store/runs/runs.js";
import { errorMessage, resolveSteps } from "./steps.js";
import { POLICY_ACTOR, guardrailData } from "./auto-approval.js";

/** How long a preview may take (reading the target's current state). */
export const PREVIEW_TIMEOUT_MS = 20_000;

/**
 * Reads the current state and describes exactly what the remediation would change, then
 * posts it with Approve and Deny (or, pre-approved for an alert, starts it). Previewing
 * changes nothing; a preview that fails ends the run as failed, and nothing runs.
 */
export async function previewRun(deps: RunDeps, runId: number): Promise<void> {
  const run = await getRun(deps.pool, runId);
  if (!run || run.state !== "previewing") return;
  const signal = AbortSignal.any([AbortSignal.timeout(PREVIEW_TIMEOUT_MS), deps.executor.shutdown]);
  let preview: StoredPreview;
  try {
    const { steps } = resolveSteps(deps, run, signal, { withExpect: false });
    preview = { changes: [], expect: {} };
    for (const s of steps) {
      if (!s.action.preview) continue;
      const p = await s.action.preview(s.ctx, s.args);
      preview.changes.push(...p.changes);
      if (p.table && !preview.table)
        preview.table = { columns: [...p.table.columns], rows: p.table.rows.map((r) => [...r]) };
      if (p.expect) preview.expect[String(s.index)] = p.expect;
    }
    preview = deps.redactor.value(preview);
  } catch (err) {
    const message = errorMessage(deps, err);
    await withTransaction(deps.pool, async (tx) => {
      if (isAlertRemediation(run) && run.incidentId !== null) await lockIncident(tx, run.incidentId);
      const now = deps.clock.now();
      const failed = await transitionRun(tx, runId, ["previewing"], {
        state: "failed",
        finishedAt: now,
        outcome: { status: "error", summary: `Preview failed: ${message}`, error: message },
      });
      if (!failed) return;
      await appendTimelineEvent(tx, {
        incidentId: run.incidentId ?? WORKSPACE_CHAIN,
        actor: "firebreak",
        kind: "run.preview_failed",
        at: now,
        data: { run_id: runId, command: run.command, target: run.target, error: message },
      });
      await deps.notices.tellRequester(
        tx,
        failed,
        `:x: Could not preview run #${runId} (${run.command}): ${message} Nothing was changed.`,
      );
      await settleSelfHealRun(tx, deps, failed);
    });
    return;
  }
  const approvedNow = await withTransaction(deps.pool, async (tx) => {
    const now = deps.clock.now();
    const expiry = deps.catalog.commands.get(run.command)?.policy.approvalExpiryMs ?? 15 * 60_000;
    const next = await transitionRun(tx, runId, ["previewing"], {
      state: run.autoApproved ? "approved" : "awaiting_approval",
      preview,
      ...(run.autoApproved ? {} : { expiresAt: new Date(now.getTime() + expiry) }),
    });
    if (!next) return false;
    await appendTimelineEvent(tx, {
      incidentId: run.incidentId ?? WORKSPACE_CHAIN,
      actor: "firebreak",
      kind: "run.previewed",
      at: now,
      data: {
        run_id: runId,
        command: run.command,
        target: run.target,
        changes: preview.changes,
        ...(preview.table ? { rows: preview.table.rows.slice(0, 5) } : {}),
        ...(next.expiresAt ? { expires_at: next.expiresAt.toISOString() } : {}),
        approvals_needed: run.approvalsNeeded,
        approver_roles: run.approverRoles,
      },
    });
    if (run.autoApproved) {
      // The policy is the approver: it approved what the preview shows, on these figures.
      await appendTimelineEvent(tx, {
        incidentId: run.incidentId ?? WORKSPACE_CHAIN,
        actor: POLICY_ACTOR,
        kind: "run.auto_approved",
        at: now,
        data: {
          run_id: runId,
          command: run.command,
          target: run.target,
          approver: POLICY_ACTOR,
          approved_by: `policy (auto_approve_for_alerts of ${run.command})`,
          reason: "pre-approved for alerts",
          changes: preview.changes,
          ...(run.autoApproval ? guardrailData(run.autoApproval) : {}),
        },
      });
      return true;
    }
    await deps.notices.postApprovalRequest(tx, next);
    return false;
  });
  if (approvedNow) await startRun(deps, runId);
}
