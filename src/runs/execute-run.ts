import { createHash } from "node:crypto";
import type { ActionOutput } from "../actions/types.js";
import { outputText } from "./output-text.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { RunDeps } from "./deps.js";
import { claimRunStart, runIdsWhere, transitionRun } from "../store/runs/runs.js";
import type { Run, RunOutcome } from "../store/runs/runs.js";
import { errorMessage, resolveSteps } from "./steps.js";
import { lockIncident } from "../store/incidents/incidents.js";
import { settleSelfHealRun } from "./self-heal-outcome.js";

/** A remediation an alert asked for (a self-heal, or one offered for approval after a guardrail said no). */
export const isAlertRemediation = (run: Pick<Run, "via" | "kind">) =>
  run.via === "alert" && run.kind === "remediation";

/** Timeline excerpts of outputs stay this short; the digest covers the whole. */
const EXCERPT_CHARS = 500;

/**
 * Starts an approved run and executes it, bounded by the command's timeout. The start is
 * a state transition under the run's row lock (approved → running), so a run executes at
 * most once per approval however many times this is called; the unique index on running
 * exclusive runs keeps one run per target — a run that finds its target busy stays
 * approved and starts when the target is free.
 */
export async function startRun(deps: RunDeps, runId: number): Promise<void> {
  const claimed = await withTransaction(deps.pool, async (tx) => {
    const now = deps.clock.now();
    const run = await claimRunStart(tx, runId, now);
    if (run === null || run === "busy") return null;
    await appendTimelineEvent(tx, {
      incidentId: run.incidentId ?? WORKSPACE_CHAIN,
      actor: "firebreak",
      kind: "run.started",
      at: now,
      data: { run_id: run.id, command: run.command, target: run.target, timeout_ms: run.timeoutMs },
    });
    await deps.notices.updateApprovalMessage(tx, run);
    return run;
  });
  if (!claimed) return;
  await execute(deps, claimed);
  // Whatever waited for this target may go now.
  await startWaitingRuns(deps);
}

/** Starts approved runs that were waiting for their target. */
export async function startWaitingRuns(deps: RunDeps): Promise<void> {
  for (const id of await runIdsWhere(deps.pool, "waiting_start", deps.clock.now())) {
    void deps.executor.spawn(() => startRun(deps, id));
  }
}

async function execute(deps: RunDeps, run: Run): Promise<void> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(run.timeoutMs);
  const signal = AbortSignal.any([timeout, deps.executor.shutdown]);
  const outputs: { action: string; output: ActionOutput }[] = [];
  let failure: string | null = null;
  try {
    const { steps } = resolveSteps(deps, run, signal, { withExpect: true });
    for (const s of steps) {
      if (signal.aborted) break;
      const output = await raceAbort(s.action.run(s.ctx, s.args), signal);
      outputs.push({ action: s.action.name, output: deps.redactor.value(output) });
    }
    if (signal.aborted) throw signal.reason;
  } catch (err) {
    failure = timeout.aborted
      ? `timed out after ${Math.round(run.timeoutMs / 1000)} s (the command's timeout)`
      : errorMessage(deps, err);
    deps.log.warn({ run: run.id, command: run.command, error: failure }, "run failed");
  }
  const interrupted = deps.executor.shutdown.aborted && !timeout.aborted && failure !== null;
  const many = outputs.length > 1;
  const full = outputs.map((o) => outputText(o.output, many ? o.action : undefined)).join("\n\n");
  const worst = outputs.reduce<RunOutcome["status"]>(
    (w, o) =>
      o.output.status === "error" || w === "error" ? "error" : o.output.status === "warning" ? "warning" : w,
    "ok",
  );
  const outcome: RunOutcome = {
    status: failure ? "error" : worst,
    summary: failure ?? outputs.map((o) => o.output.summary).join(" · "),
    ...(full
      ? { digest: createHash("sha256").update(full).digest("hex"), excerpt: full.slice(0, EXCERPT_CHARS) }
      : {}),
    ...(failure ? { error: failure } : {}),
    durationMs: Math.round(performance.now() - started),
  };
  deps.observeRun?.(
    run.command,
    failure ? (timeout.aborted ? "timeout" : "failed") : "ok",
    (outcome.durationMs ?? 0) / 1000,
  );
  await withTransaction(deps.pool, async (tx) => {
    // An alert's remediation moves paging on: the incident's lock first, as every incident change takes it.
    if (isAlertRemediation(run) && run.incidentId !== null) await lockIncident(tx, run.incidentId);
    const now = deps.clock.now();
    const state = interrupted ? "interrupted" : failure ? "failed" : "succeeded";
    const done = await transitionRun(tx, run.id, ["running"], { state, finishedAt: now, outcome });
    await appendTimelineEvent(tx, {
      incidentId: run.incidentId ?? WORKSPACE_CHAIN,
      actor: "firebreak",
      kind: done ? `run.${state}` : "run.finished_late",
      at: now,
      data: {
        run_id: run.id,
        command: run.command,
        target: run.target,
        outcome: state,
        status: outcome.status,
        summary: outcome.summary,
        ...(outcome.digest ? { output_sha256: outcome.digest, excerpt: outcome.excerpt } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
        duration_ms: outcome.durationMs,
      },
    });
    if (!done) return; // already marked interrupted by recovery: its result is recorded, not re-posted
    await deps.notices.postRunResult(tx, done, failure ? "" : full);
    await deps.notices.updateApprovalMessage(tx, done);
    await settleSelfHealRun(tx, deps, done);
  });
}

/** Settles with the abort when the signal fires first: an action that ignores it cannot hold a run past its timeout. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
