import type { PagingContext } from "../paging/context.js";
import { escalationJob } from "../paging/process-escalation.js";
import type { TimerJob } from "../paging/timer-job.js";
import { listDueDeliveries } from "../store/deliveries/page-deliveries.js";
import { listDueEscalations } from "../store/escalations/escalations.js";
import { listDueTimers } from "../store/timers/timers.js";

/**
 * The timers in Postgres due by `before`, as jobs, oldest first, at most `limit`: active
 * escalations whose next step nobody has paged, pending incident timers and (unless
 * `deliveries` is false) pending page deliveries. The reconciler's and the sweeps' view.
 */
export async function dueTimerJobs(
  ctx: Pick<PagingContext, "pool">,
  before: Date,
  o: { limit?: number; deliveries?: boolean } = {},
): Promise<TimerJob[]> {
  const limit = o.limit ?? 100_000;
  const [escalations, timers, deliveries] = await Promise.all([
    listDueEscalations(ctx.pool, before, limit),
    listDueTimers(ctx.pool, before, limit),
    o.deliveries === false ? [] : listDueDeliveries(ctx.pool, before, limit),
  ]);
  const jobs: TimerJob[] = [
    ...escalations.map((r) =>
      escalationJob(
        { incidentId: r.incidentId, run: r.run, currentStep: r.step, currentRepeat: r.repeat },
        r.dueAt,
      ),
    ),
    ...timers.map((t): TimerJob => ({ type: "timer", timerId: t.id, dueAt: t.dueAt.getTime() })),
    ...deliveries.map((d): TimerJob => ({ type: "delivery", deliveryId: d.id, dueAt: d.dueAt.getTime() })),
  ];
  return jobs.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit);
}
