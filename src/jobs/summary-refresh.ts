import type { IncidentDeps } from "../incidents/deps.js";
import { listIncidents } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";

/** Acknowledged incidents show only their age: every fifth pass is enough. */
const QUIET_EVERY = 5;

/**
 * One pass of the `summary-refresher` job: re-renders the pinned summaries of open
 * incidents so that age and the time left to the response target stay true between
 * changes — every pass while nobody has acknowledged, every fifth pass after. The outbox
 * coalesces, so several workers doing this cost nothing extra. Returns how many refreshes
 * it asked for.
 */
export async function refreshOpenSummaries(
  deps: Pick<IncidentDeps, "pool" | "notifier">,
  pass: number,
): Promise<number> {
  const open = (await listIncidents(deps.pool, { openOnly: true, limit: 200 })).filter(
    (i) => i.summaryTs && (i.state === "declared" || pass % QUIET_EVERY === 0),
  );
  if (open.length)
    await withTransaction(deps.pool, async (tx) => {
      for (const incident of open) await deps.notifier.refreshSummary(tx, incident);
    });
  return open.length;
}
