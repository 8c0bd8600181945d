import type { Logger } from "pino";
import type { Clock } from "../core/ports.js";
import type { PagingContext } from "../paging/context.js";
import type { TimerJob } from "../paging/timer-job.js";
import { dueTimerJobs } from "./due-timers.js";

/** How far past its due time a timer must be before the sweep takes it from BullMQ. */
export const OVERDUE_GRACE_MS = 2_000;
/** At most this many timers in one pass (oldest first); the rest wait for the next. */
export const OVERDUE_BATCH = 200;
/** A timer that keeps failing (or cannot move) is looked at again at most this seldom. */
const MAX_BACKOFF_MS = 60_000;

/** One timer row, whatever its job's position: the key a failing timer is backed off under. */
function rowKey(job: TimerJob): string {
  switch (job.type) {
    case "escalation":
      return `esc-${job.incidentId}`;
    case "timer":
      return `tmr-${job.timerId}`;
    case "delivery":
      return `dlv-${job.deliveryId}`;
  }
}

/** What one pass of the sweep did. */
export interface OverdueSweepPass {
  /** Overdue timers found in Postgres. */
  found: number;
  processed: number;
  failed: number;
  /** Left alone this pass: they failed lately and are backing off. */
  backingOff: number;
}

/**
 * The `overdue-sweeper`: Postgres, the state of record, wins over BullMQ. A worker killed
 * with `kill -9` leaves its jobs "active" in BullMQ until their lock runs out, and the
 * reconciler's re-add of the same job id is a no-op; the sweep instead reads every timer
 * more than {@link OVERDUE_GRACE_MS} past due and processes it itself, through the same
 * use-case the BullMQ job runs (`run`), so under the same row locks and unique keys: when
 * BullMQ runs the job later too, it finds the cursor moved and pages nobody again.
 *
 * A timer still overdue at the same due time after a pass (it failed, or could not move)
 * is looked at again at once, then after 2 s, 4 s … at most a minute, so that a few stuck
 * rows never crowd out the rest.
 */
export class OverdueSweep {
  /** Timers this sweep has run, by row: at which due time, how often, when to look again. */
  private readonly seen = new Map<string, { dueAt: number; strikes: number; retryAt: number }>();

  constructor(
    private readonly o: {
      ctx: Pick<PagingContext, "pool">;
      clock: Clock;
      log: Logger;
      /** Processes one job as the BullMQ worker does (and schedules its follow-up). */
      run: (job: TimerJob) => Promise<void>;
      /** False once the owner is stopping: the pass ends early. */
      running: () => boolean;
    },
  ) {}

  async pass(): Promise<OverdueSweepPass> {
    const now = this.o.clock.now().getTime();
    const jobs = await dueTimerJobs(this.o.ctx, new Date(now - OVERDUE_GRACE_MS), {
      limit: OVERDUE_BATCH,
      // Page deliveries are left to BullMQ (a dead worker's job comes back within its 6 s
      // lock) and to their claim lease: a second looker at a person's deliveries splits bundles.
      deliveries: false,
    });
    const found = new Map(jobs.map((j) => [rowKey(j), j]));
    // A timer no longer overdue, or overdue at a new due time, moved on: forget its strikes.
    for (const [key, s] of this.seen) if (found.get(key)?.dueAt !== s.dueAt) this.seen.delete(key);
    const todo = jobs.filter((j) => (this.seen.get(rowKey(j))?.retryAt ?? 0) <= now);
    const out: OverdueSweepPass = {
      found: jobs.length,
      processed: 0,
      failed: 0,
      backingOff: jobs.length - todo.length,
    };
    const strike = (job: TimerJob) => {
      const key = rowKey(job);
      const strikes = (this.seen.get(key)?.strikes ?? 0) + 1;
      const backoff = strikes === 1 ? 0 : Math.min(MAX_BACKOFF_MS, OVERDUE_GRACE_MS * 2 ** (strikes - 2));
      this.seen.set(key, { dueAt: job.dueAt, strikes, retryAt: this.o.clock.now().getTime() + backoff });
      return strikes;
    };
    // One at a time: a safety net behind BullMQ, not a second worker pool racing it.
    for (const job of todo) {
      if (!this.o.running()) break;
      try {
        await this.o.run(job);
        out.processed++;
        strike(job);
      } catch (err) {
        out.failed++;
        const strikes = strike(job);
        this.o.log.warn({ err, job, strikes }, "paging: the overdue sweep could not process a timer");
      }
    }
    if (out.processed || out.failed)
      this.o.log.info(out, "paging: processed timers BullMQ had not run in time, from Postgres");
    return out;
  }
}
