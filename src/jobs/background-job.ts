import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";

/**
 * One background concern of a worker process (the outbox drainer, a sweeper, the
 * reconciler, the BullMQ timers …): started once, stopped on shutdown. Every one is listed
 * in jobs/worker-jobs.ts; its health is in /metrics under its name.
 */
export interface BackgroundJob {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Records one pass of a job in /metrics: `firebreak_jobs_total`, its duration, its last success. */
export function recordJobPass(metrics: Metrics, name: string, ok: boolean, seconds: number): void {
  metrics.jobs.inc({ queue: name, outcome: ok ? "ok" : "failed" });
  metrics.jobDuration.observe({ queue: name }, seconds);
  if (ok) metrics.jobLastSuccess.set({ job: name }, Date.now() / 1000);
}

/**
 * A job that runs `tick` every `intervalMs` (and once at start), never two at once; a
 * failing tick is logged and counted, and the next one runs on schedule.
 */
export function periodicJob(o: {
  name: string;
  intervalMs: number;
  tick: () => Promise<unknown>;
  log: Logger;
  metrics: Metrics;
  /** Run a first tick at start (default true). */
  atStart?: boolean;
}): BackgroundJob & { runOnce(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const runOnce = (): Promise<void> => {
    running ??= (async () => {
      const started = performance.now();
      try {
        await o.tick();
        recordJobPass(o.metrics, o.name, true, (performance.now() - started) / 1000);
      } catch (err) {
        recordJobPass(o.metrics, o.name, false, (performance.now() - started) / 1000);
        o.log.warn({ err, job: o.name }, "background job failed; it runs again on schedule");
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };
  return {
    name: o.name,
    runOnce,
    async start() {
      if (timer || stopped) return;
      o.metrics.jobInterval.set({ job: o.name }, o.intervalMs / 1000);
      if (o.atStart ?? true) void runOnce();
      timer = setInterval(() => {
        if (!stopped) void runOnce();
      }, o.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
