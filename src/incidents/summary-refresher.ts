import type { FeatureFactory } from "../feature-module.js";
import { listIncidents } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import type { IncidentDeps } from "./deps.js";
import { refreshSummary } from "./incident-notices.js";

const TICK_MS = 60_000;
/** Acknowledged incidents show only their age: every fifth tick is enough. */
const QUIET_EVERY = 5;

/**
 * Re-renders the pinned summaries of open incidents so that age and the time left to the
 * response target stay true between changes: every minute while nobody has acknowledged,
 * every five minutes after. The outbox coalesces, so several workers doing this cost
 * nothing extra. Returns how many refreshes it asked for.
 */
export async function refreshOpenSummaries(deps: Pick<IncidentDeps, "pool">, tick: number): Promise<number> {
  const open = (await listIncidents(deps.pool, { openOnly: true, limit: 200 })).filter(
    (i) => i.summaryTs && (i.state === "declared" || tick % QUIET_EVERY === 0),
  );
  if (open.length)
    await withTransaction(deps.pool, async (tx) => {
      for (const incident of open) await refreshSummary(tx, incident);
    });
  return open.length;
}

/** The refresher as a feature: it runs in worker processes. */
export const summaryRefresherFeature: FeatureFactory = (ctx) => {
  let timer: NodeJS.Timeout | null = null;
  let tick = 0;
  return {
    name: "summary-refresher",
    async startWorker() {
      timer = setInterval(() => {
        tick++;
        refreshOpenSummaries(ctx.incidents, tick).catch((err: unknown) =>
          ctx.log.warn({ err }, "could not refresh open incidents' summaries; next minute"),
        );
      }, TICK_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
};
