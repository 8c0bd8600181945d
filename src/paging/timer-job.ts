import { notifyAfterCommit } from "../store/pool.js";
import type { Queryable } from "../store/pool.js";

/**
 * A durable timer's wake-up call, as a BullMQ job carries it. The state of record is in
 * Postgres; a job only says "look at this row at `dueAt`" (epoch ms), so a duplicate,
 * early or late job is harmless.
 */
export type TimerJob =
  | { type: "escalation"; incidentId: number; run: number; step: number; repeat: number; dueAt: number }
  | { type: "timer"; timerId: number; dueAt: number }
  /** One page through one contact method (page_deliveries). */
  | { type: "delivery"; deliveryId: number; dueAt: number };

/** The job id: one job per timer position and due time, so duplicates collapse in BullMQ. */
export function timerJobId(job: TimerJob): string {
  switch (job.type) {
    case "escalation":
      return `esc-${job.incidentId}-${job.run}-${job.step}-${job.repeat}-${job.dueAt}`;
    case "timer":
      return `tmr-${job.timerId}-${job.dueAt}`;
    case "delivery":
      return `dlv-${job.deliveryId}-${job.dueAt}`;
  }
}

/** Postgres channel on which committed timer changes are announced to the workers. */
export const TIMER_CHANNEL = "firebreak_paging";

/**
 * Announces a timer to the workers once (and only if) the caller's transaction commits,
 * so no worker looks before the row is visible.
 */
export async function announceTimer(tx: Queryable, job: TimerJob): Promise<void> {
  await notifyAfterCommit(tx, TIMER_CHANNEL, JSON.stringify(job));
}

/** Reads a job announced with {@link announceTimer}; undefined for anything else. */
export function parseTimerJob(text: string): TimerJob | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<string, unknown>>;
    const n = (k: string) => typeof v[k] === "number" && Number.isFinite(v[k]);
    if (v.type === "escalation" && ["incidentId", "run", "step", "repeat", "dueAt"].every(n))
      return v as TimerJob;
    if (v.type === "timer" && ["timerId", "dueAt"].every(n)) return v as TimerJob;
    // "webhook": what processes before page deliveries were generalised announced.
    if ((v.type === "delivery" || v.type === "webhook") && ["deliveryId", "dueAt"].every(n))
      return { type: "delivery", deliveryId: v.deliveryId as number, dueAt: v.dueAt as number };
  } catch {
    return undefined;
  }
  return undefined;
}
