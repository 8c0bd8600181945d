import { Queue, Worker } from "bullmq";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Clock } from "../core/ports.js";
import { timerJobId } from "../paging/timer-job.js";
import type { TimerJob } from "../paging/timer-job.js";

const QUEUE = "paging-timers";

/** BullMQ keys: the configured prefix plus the database name, so installs sharing a Redis stay apart. */
export function timerQueuePrefix(redisPrefix: string, databaseUrl: string): string {
  const db = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, "")) || "firebreak";
  return `${redisPrefix}:${db.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}
const BATCH = 500;

/**
 * How long a worker's claim on an active job lasts without renewal (renewed every half of
 * it while the job runs). BullMQ's default is 30 s, and its stalled-job check another 30 s:
 * a worker killed with `kill -9` kept its jobs "active", and re-adding the same job id is a
 * no-op, so its pages went out up to a minute late (issue 10). A timer job is short (one
 * transaction), so a few seconds is ample; if a busy event loop does miss a renewal, the
 * job only runs twice, which the row locks and unique keys make harmless.
 */
export const TIMER_LOCK_MS = 6_000;
/** How often a worker looks for jobs whose claim ran out (a dead worker's) and takes them back. */
export const TIMER_STALLED_CHECK_MS = 3_000;
/**
 * How many times a job may be taken back before it is failed (and removed: the overdue
 * sweep and the reconciler still have it in Postgres).
 */
const TIMER_MAX_STALLED = 2;

/** The BullMQ side of paging timers: delayed jobs, one per (timer, due time). */
export interface TimerQueue {
  /**
   * Adds a delayed job for each timer; a job with the same id already there makes it a no-op.
   * Delays are computed from `clock` as each batch is sent, so a long list does not fire late.
   */
  schedule(jobs: readonly TimerJob[], clock: Clock): Promise<void>;
  /** Processes due jobs with `process` until closed. */
  startWorker(process: (job: TimerJob) => Promise<void>, concurrency: number): void;
  close(): Promise<void>;
}

/**
 * A BullMQ queue under `prefix` (tests and installs sharing a Redis stay apart). Jobs are
 * removed when done or finally failed, so that the reconciler can re-create any of them.
 */
export function createTimerQueue(o: { redisUrl: string; prefix: string; log: Logger }): TimerQueue {
  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on("error", (err) => o.log.debug({ err }, "paging queue: redis error"));
  const queue = new Queue<TimerJob>(QUEUE, { connection, prefix: o.prefix });
  queue.on("error", (err) => o.log.debug({ err }, "paging queue error"));
  let worker: Worker<TimerJob> | null = null;
  let workerConnection: Redis | null = null;
  return {
    async schedule(jobs, clock) {
      for (let i = 0; i < jobs.length; i += BATCH) {
        const now = clock.now().getTime();
        await queue.addBulk(
          jobs.slice(i, i + BATCH).map((data) => ({
            name: data.type,
            data,
            opts: {
              jobId: timerJobId(data),
              delay: Math.max(0, data.dueAt - now),
              removeOnComplete: true,
              removeOnFail: true,
              attempts: 5,
              backoff: { type: "exponential", delay: 500 },
            },
          })),
        );
      }
    },
    startWorker(process, concurrency) {
      if (worker) return;
      workerConnection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
      workerConnection.on("error", (err) => o.log.debug({ err }, "paging worker: redis error"));
      worker = new Worker<TimerJob>(QUEUE, async (job: Job<TimerJob>) => process(job.data), {
        connection: workerConnection,
        prefix: o.prefix,
        concurrency,
        lockDuration: TIMER_LOCK_MS,
        stalledInterval: TIMER_STALLED_CHECK_MS,
        maxStalledCount: TIMER_MAX_STALLED,
      });
      worker.on("error", (err) => o.log.warn({ err }, "paging worker error"));
      worker.on("failed", (job, err) =>
        o.log.warn({ err, job: job?.id }, "paging timer job failed; will retry"),
      );
    },
    async close() {
      await worker?.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      workerConnection?.disconnect();
      connection.disconnect();
    },
  };
}
