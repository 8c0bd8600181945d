import type { ActionRegistry } from "../catalog/action-registry.js";
import type { Catalog } from "../core/catalog/types.js";
import type { ResolvedTargets } from "../config-schema/targets.js";
import type { IncidentDeps } from "../incidents/deps.js";
import type { RunNotifier } from "./ports.js";
import type { Redactor } from "./redact.js";

/**
 * Runs executions off the request path, in this process: the listener has acked, the run
 * goes on, and stop() aborts and waits for whatever is still in flight.
 */
export interface RunExecutor {
  /** Starts `work`; the promise settles when it has (it never rejects: failures go to the error handler). */
  spawn(work: () => Promise<void>): Promise<void>;
  /** Aborted when the process stops: a run cut short by it is recorded as interrupted. */
  readonly shutdown: AbortSignal;
  /** Resolves when nothing is in flight (for tests and stop). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** What the run use-cases need, injected. */
export interface RunDeps extends IncidentDeps {
  catalog: Catalog;
  targets: ResolvedTargets;
  actions: ActionRegistry;
  redactor: Redactor;
  executor: RunExecutor;
  /** Approval requests, replies and results, over the Slack outbox. */
  notices: RunNotifier;
  /** Counts runs for /metrics: a finished run with its duration, or a refused request. */
  observeRun?: (command: string, outcome: "ok" | "failed" | "refused" | "timeout", seconds?: number) => void;
}

/** The result of a run use-case, for the listener to render. */
export interface RunResult {
  status: "accepted" | "unchanged" | "refused";
  message: string;
  runId?: number;
  incidentId?: number;
  /** For an alert's remediation: whether its policy pre-approved it, and why not. */
  autoApproval?: { approved: boolean; reason?: string };
}

/** An executor whose work is tracked so that it can be awaited and stopped. */
export function createRunExecutor(onError: (err: unknown) => void): RunExecutor {
  const inFlight = new Set<Promise<void>>();
  const controller = new AbortController();
  return {
    shutdown: controller.signal,
    spawn(work) {
      const p = work()
        .catch(onError)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      return p;
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      controller.abort(new Error("Firebreak is shutting down"));
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
