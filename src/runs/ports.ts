import type { Queryable } from "../store/pool.js";
import type { Run } from "../store/runs/runs.js";

/**
 * How the run use-cases tell people about runs: the approval request (updated in place as
 * decisions come in), replies only the requester sees, and results. Implemented over the
 * Slack outbox (slack/notifiers/run-notifier.ts): each call is queued in the caller's
 * transaction.
 */
export interface RunNotifier {
  /** Posts the approval request in the incident channel (rendered from the run at send time). */
  postApprovalRequest(tx: Queryable, run: Run): Promise<void>;
  /** Re-renders the approval message after a decision; many in a row coalesce. */
  updateApprovalMessage(tx: Queryable, run: Run): Promise<void>;
  /** Tells the requester something only they see (refusals, acknowledgements). */
  tellRequester(tx: Queryable, run: Run, text: string): Promise<void>;
  /** Posts a finished run: in the incident channel, else to the requester; long output as a file. */
  postRunResult(tx: Queryable, run: Run, output: string): Promise<void>;
}
