import pg from "pg";
import type { Logger } from "pino";
import type { Clock } from "../core/ports.js";
import type { PagingContext } from "../paging/context.js";
import { processTimer } from "../paging/incident-timers.js";
import { processEscalation } from "../paging/process-escalation.js";
import { TIMER_CHANNEL, parseTimerJob } from "../paging/timer-job.js";
import type { TimerJob } from "../paging/timer-job.js";
import { withDatabaseUser } from "../store/database-user.js";
import { processDelivery } from "../paging/deliver-page.js";
import { recordJobPass } from "./background-job.js";
import { dueTimerJobs } from "./due-timers.js";
import { OverdueSweep } from "./overdue-sweep.js";
import type { OverdueSweepPass } from "./overdue-sweep.js";
import type { TimerQueue } from "./timer-queue.js";

/** The NOTIFY connection is retried after 1 s, 2 s, 4 s … at most this long (Postgres restarting). */
const MAX_LISTEN_BACKOFF_MS = 30_000;

/** Rejects when `promise` has not settled within `ms` (a Redis that is down queues commands forever). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one timer's job: processes the row it points at; returns the follow-up timer, if any. */
export async function runTimerJob(
  ctx: PagingContext,
  job: TimerJob,
  now: Date,
): Promise<TimerJob | undefined> {
  switch (job.type) {
    case "escalation": {
      const out = await processEscalation(ctx, job.incidentId, now);
      return out.kind === "wait" || out.kind === "paged" ? out.next : undefined;
    }
    case "timer": {
      const out = await processTimer(ctx, job.timerId, now);
      return "next" in out ? out.next : undefined;
    }
    case "delivery": {
      const out = await processDelivery(ctx, job.deliveryId, now);
      return out.kind === "wait" || out.kind === "retry" ? out.next : undefined;
    }
  }
}

/**
 * Keeps BullMQ's delayed jobs in step with Postgres, the state of record:
 * - committed changes are announced with NOTIFY and scheduled at once;
 * - a processed job schedules its follow-up after commit;
 * - on start, and every `reconcileIntervalMs` (the `timer-reconciler` job in
 *   jobs/worker-jobs.ts), every timer due within two intervals is (re-)added — duplicates
 *   collapse on the job id — so a Redis flush or a crash between commit and scheduling
 *   delays a page by at most one interval and loses none;
 * - if Redis cannot take them, the overdue ones are processed straight from Postgres;
 * - every `jobs.overdue_sweep` (the `overdue-sweeper` job) escalations and incident timers
 *   more than a couple of seconds past due are processed straight from Postgres as well: a
 *   BullMQ job held by a worker killed mid-way stays "active" (and un-re-addable) until its
 *   lock runs out.
 */
export class TimerScheduler {
  private listener: pg.Client | null = null;
  private running = false;
  private reconciling: Promise<void> | null = null;
  private listenFailures = 0;
  private listenRetry: NodeJS.Timeout | null = null;
  private readonly overdue: OverdueSweep;
  /** Whether the last reconcile read Postgres (the reconciler job's health). */
  lastReconcileOk = true;

  constructor(
    private readonly o: {
      ctx: PagingContext;
      queue: TimerQueue;
      databaseUrl: string;
      clock: Clock;
      log: Logger;
      concurrency?: number;
      /** How long a reconcile waits for Redis before sweeping from Postgres itself (default 5s). */
      redisTimeoutMs?: number;
    },
  ) {
    this.overdue = new OverdueSweep({
      ctx: o.ctx,
      clock: o.clock,
      log: o.log,
      run: (job) => this.runNow(job),
      running: () => this.running,
    });
  }

  /** Processes one job now (what the BullMQ worker calls) and schedules its follow-up. */
  async handle(job: TimerJob): Promise<void> {
    const now = this.o.clock.now();
    // BullMQ may wake a job a little before its due time (clocks of different hosts).
    const early = job.dueAt - now.getTime();
    if (early > 0 && early <= 5_000) await new Promise((r) => setTimeout(r, early));
    const started = performance.now();
    try {
      const next = await runTimerJob(this.o.ctx, job, this.o.clock.now());
      if (next) await this.o.queue.schedule([next], this.o.clock);
      this.recordPass(true, started);
    } catch (err) {
      this.recordPass(false, started);
      throw err;
    }
  }

  private recordPass(ok: boolean, started: number): void {
    const metrics = this.o.ctx.metrics;
    if (metrics) recordJobPass(metrics, "timers", ok, (performance.now() - started) / 1000);
  }

  async start(): Promise<void> {
    this.running = true;
    this.o.queue.startWorker((job) => this.handle(job), this.o.concurrency ?? 8);
    await this.listen().catch((err: unknown) => this.listenLater(err));
    await this.reconcile();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.listenRetry) clearTimeout(this.listenRetry);
    this.listenRetry = null;
    await this.reconciling;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
    await this.o.queue.close();
  }

  /** Re-creates every timer due soon from Postgres; processes overdue ones itself if Redis is down. */
  async reconcile(): Promise<void> {
    if (this.reconciling) return this.reconciling;
    this.reconciling = (async () => {
      const now = this.o.clock.now();
      try {
        const horizon = new Date(now.getTime() + 2 * this.o.ctx.settings.reconcileIntervalMs);
        const jobs = await dueTimerJobs(this.o.ctx, horizon);
        const oldest = jobs.reduce((min, j) => Math.min(min, j.dueAt), Infinity);
        this.o.ctx.metrics?.reconcilerLagSeconds.set(
          jobs.length ? Math.max(0, (now.getTime() - oldest) / 1000) : 0,
        );
        this.lastReconcileOk = true;
        try {
          await withTimeout(this.o.queue.schedule(jobs, this.o.clock), this.o.redisTimeoutMs ?? 5_000);
        } catch (err) {
          this.o.log.warn({ err }, "paging: Redis unavailable; sweeping due timers from Postgres");
          await this.sweep(jobs.filter((j) => j.dueAt <= now.getTime()));
        }
      } catch (err) {
        this.lastReconcileOk = false;
        this.o.log.error({ err }, "paging: reconcile failed");
      }
    })().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  /**
   * One pass of the `overdue-sweeper` job: processes, from Postgres, the timers more than
   * a couple of seconds past due that BullMQ has not run (see jobs/overdue-sweep.ts).
   */
  async sweepOverdue(): Promise<OverdueSweepPass | undefined> {
    if (!this.running) return undefined;
    return this.overdue.pass();
  }

  /** Processes one job straight from Postgres; its follow-up is handed to BullMQ without waiting on Redis. */
  private async runNow(job: TimerJob): Promise<void> {
    const next = await runTimerJob(this.o.ctx, job, this.o.clock.now());
    if (next)
      // If Redis cannot take it, the reconciler or the next sweep has it from Postgres.
      void withTimeout(this.o.queue.schedule([next], this.o.clock), this.o.redisTimeoutMs ?? 5_000).catch(
        (err: unknown) => this.o.log.debug({ err, job: next }, "paging: could not schedule a timer"),
      );
  }

  private async sweep(jobs: TimerJob[]): Promise<void> {
    for (const job of jobs) {
      if (!this.running) return;
      await runTimerJob(this.o.ctx, job, this.o.clock.now()).catch((err: unknown) =>
        this.o.log.warn({ err, job }, "paging: sweep could not process a timer"),
      );
    }
  }

  /** Tries the NOTIFY connection again after a back-off: 1 s, 2 s, 4 s … at most 30 s. */
  private listenLater(err: unknown): void {
    if (!this.running || this.listenRetry) return;
    const delay = Math.min(MAX_LISTEN_BACKOFF_MS, 1_000 * 2 ** this.listenFailures++);
    this.o.log.warn({ err, retryInMs: delay }, "paging: no NOTIFY connection to Postgres; retrying");
    this.listenRetry = setTimeout(() => {
      this.listenRetry = null;
      if (this.running) void this.listen().catch((e: unknown) => this.listenLater(e));
    }, delay);
    this.listenRetry.unref();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: withDatabaseUser(this.o.databaseUrl) });
    client.on("error", (err) => {
      if (this.listener !== client) return; // a failed connect: its caller retries
      this.listener = null;
      client.end().catch(() => undefined);
      this.listenLater(err);
    });
    client.on("notification", (msg) => {
      const job = msg.payload ? parseTimerJob(msg.payload) : undefined;
      if (!job) return;
      this.o.queue.schedule([job], this.o.clock).catch((err: unknown) => {
        // The reconciler will re-create it from Postgres.
        this.o.log.warn({ err, job }, "paging: could not schedule a timer");
      });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TIMER_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (!this.running) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listenFailures = 0;
    // Anything committed while not listening is picked up by this reconcile.
    void this.reconcile();
  }
}
