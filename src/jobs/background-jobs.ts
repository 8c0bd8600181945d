import type { Logger } from "pino";
import type { AlertProcessor } from "../alerts/alert-processor.js";
import { checkHeartbeats } from "../alerts/heartbeats.js";
import type { AlertIngestDeps } from "../alerts/process-notification.js";
import { releaseEndedWindows } from "../alerts/release-window.js";
import type { JobsConfig } from "../config-schema/jobs.js";
import type { UserGroupDirectory } from "../core/ports.js";
import type { IncidentDeps } from "../incidents/deps.js";
import { sendDueWeeklyReport } from "../insights/weekly-report.js";
import type { WeeklyReportDeps } from "../insights/weekly-report.js";
import type { Metrics } from "../metrics.js";
import type { PagingContext } from "../paging/context.js";
import type { RunDeps } from "../runs/deps.js";
import { sweepRuns } from "../runs/sweep-runs.js";
import { sendHandoffNotices } from "../paging/handoff-notices.js";
import { forgetSignedRequests } from "../store/links/signing-keys.js";
import type { OutboxDrainer } from "../slack/outbox/drainer.js";
import { periodicJob, recordJobPass } from "./background-job.js";
import type { BackgroundJob } from "./background-job.js";
import { refreshOpenSummaries } from "./summary-refresh.js";
import { TimerScheduler } from "./timer-scheduler.js";

/** What the jobs work on, handed in by the composition root. */
export interface BackgroundJobDeps {
  /** One pass of the inbound replayer (slack/inbound-journal.ts), where Bolt runs; absent in a worker. */
  inboundReplay?: () => Promise<unknown>;
  /** `web` runs only what answering Slack needs (the user group refresh); `worker` and `both` run all. */
  role: "web" | "worker" | "both";
  jobs: JobsConfig;
  log: Logger;
  metrics: Metrics;
  databaseUrl: string;
  redisUrl: string;
  drainer: OutboxDrainer;
  alerts: AlertProcessor;
  /** What alert processing works with: heartbeats and maintenance windows feed it. */
  alertIngest: AlertIngestDeps;
  runs: RunDeps;
  incidents: IncidentDeps;
  usergroups: UserGroupDirectory;
  paging: PagingContext;
  reports: WeeklyReportDeps;
}

/**
 * Every background loop of a Firebreak process, in one list, each under its name (the
 * `job`/`queue` label of its metrics). A worker runs them all:
 * - `outbox-drainer`: sends the Slack outbox (one leader in the cluster);
 * - `timers`: the BullMQ worker for paging timers, woken by NOTIFY;
 * - `timer-reconciler`: rebuilds due timers from Postgres, sweeps them if Redis is down;
 * - `overdue-sweeper`: processes escalations and incident timers more than 2 s overdue
 *   straight from Postgres (a BullMQ job held by a killed worker is "active" until its
 *   lock runs out);
 * - `alert-sweeper`: alert notifications and lifecycle changes a crash left behind;
 * - `run-sweeper`: expired approvals, interrupted runs, runs waiting for a free target;
 * - `summary-refresher`: open incidents' summaries (age, time left);
 * - `usergroup-refresher`: user group members re-read from Slack when stale;
 * - `heartbeat-checker`: heartbeats past their deadline open their incidents;
 * - `maintenance-releaser`: ended maintenance windows let go of what they held back;
 * - `weekly-report`: sends the weekly report when it is due (once per week, whichever
 *   worker gets there first; off without `weekly_report:` in firebreak.yaml).
 * - `handoff-notifier`: DMs people whose shift is about to start, once per shift;
 * - `signature-cleanup`: forgets Twilio signatures old enough that a replay fails anyway.
 *
 * - `inbound-replayer`: Slack requests whose work failed after the ack, run again.
 *
 * A web process runs only `usergroup-refresher` (roles from user groups are read from its
 * cache on every request, never from Slack) and `inbound-replayer`.
 */
export function backgroundJobs(d: BackgroundJobDeps): BackgroundJob[] {
  const log = (job: string) => d.log.child({ job });
  const usergroupRefresher = periodicJob({
    name: "usergroup-refresher",
    intervalMs: d.jobs.usergroupRefreshMs,
    tick: () => d.usergroups.refresh(),
    log: log("usergroup-refresher"),
    metrics: d.metrics,
  });
  // Slack requests are answered (and replayed) where Bolt runs: web processes.
  const inboundReplayer = d.inboundReplay
    ? [
        periodicJob({
          name: "inbound-replayer",
          intervalMs: d.jobs.inboundReplayMs,
          tick: d.inboundReplay,
          log: log("inbound-replayer"),
          metrics: d.metrics,
        }),
      ]
    : [];
  if (d.role === "web") return [usergroupRefresher, ...inboundReplayer];
  let scheduler: TimerScheduler | null = null;
  let summaryPass = 0;
  return [
    {
      name: "outbox-drainer",
      async start() {
        d.metrics.jobInterval.set({ job: "outbox-drainer" }, d.jobs.outboxPollMs / 1000);
        d.drainer.start();
      },
      stop: () => d.drainer.stop(),
    },
    {
      name: "timers",
      async start() {
        // BullMQ is loaded by workers only: a web process never needs it.
        const { createTimerQueue, timerQueuePrefix } = await import("./timer-queue.js");
        scheduler = new TimerScheduler({
          ctx: d.paging,
          queue: createTimerQueue({
            redisUrl: d.redisUrl,
            prefix: timerQueuePrefix(d.paging.settings.redisPrefix, d.databaseUrl),
            log: log("timers"),
          }),
          databaseUrl: d.databaseUrl,
          clock: d.paging.clock,
          log: log("timers"),
        });
        await scheduler.start();
      },
      stop: async () => {
        await scheduler?.stop();
        scheduler = null;
      },
    },
    periodicJob({
      name: "timer-reconciler",
      intervalMs: d.paging.settings.reconcileIntervalMs,
      atStart: false, // the scheduler reconciles as it starts
      async tick() {
        if (!scheduler) return;
        await scheduler.reconcile();
        if (!scheduler.lastReconcileOk) throw new Error("could not read due timers from Postgres");
      },
      log: log("timer-reconciler"),
      metrics: d.metrics,
    }),
    periodicJob({
      name: "overdue-sweeper",
      intervalMs: d.jobs.overdueSweepMs,
      atStart: false, // the scheduler reconciles as it starts
      tick: async () => {
        await scheduler?.sweepOverdue();
      },
      log: log("overdue-sweeper"),
      metrics: d.metrics,
    }),
    periodicJob({
      name: "alert-sweeper",
      intervalMs: d.jobs.alertSweepMs,
      tick: () => d.alerts.sweep(),
      log: log("alert-sweeper"),
      metrics: d.metrics,
    }),
    periodicJob({
      name: "run-sweeper",
      intervalMs: d.jobs.runSweepMs,
      tick: () => sweepRuns(d.runs),
      log: log("run-sweeper"),
      metrics: d.metrics,
    }),
    periodicJob({
      name: "summary-refresher",
      intervalMs: d.jobs.summaryRefreshMs,
      atStart: false,
      tick: () => refreshOpenSummaries(d.incidents, ++summaryPass),
      log: log("summary-refresher"),
      metrics: d.metrics,
    }),
    usergroupRefresher,
    ...inboundReplayer,
    periodicJob({
      name: "heartbeat-checker",
      intervalMs: d.jobs.heartbeatCheckMs,
      async tick() {
        for (const id of await checkHeartbeats(d.incidents, d.incidents.config.intake.heartbeats))
          d.alerts.kick(id);
      },
      log: log("heartbeat-checker"),
      metrics: d.metrics,
    }),
    periodicJob({
      name: "maintenance-releaser",
      intervalMs: d.jobs.maintenanceReleaseMs,
      tick: () => releaseEndedWindows(d.alertIngest),
      log: log("maintenance-releaser"),
      metrics: d.metrics,
    }),
    ...(d.reports.schedule
      ? [
          periodicJob({
            name: "weekly-report",
            intervalMs: d.jobs.weeklyReportMs,
            // The first check one interval after start: a process starting up has other work first.
            atStart: false,
            tick: () => sendDueWeeklyReport(d.reports),
            log: log("weekly-report"),
            metrics: d.metrics,
          }),
        ]
      : []),
    periodicJob({
      name: "handoff-notifier",
      intervalMs: d.jobs.handoffCheckMs,
      tick: () => sendHandoffNotices(d.paging, d.paging.clock.now()),
      log: log("handoff-notifier"),
      metrics: d.metrics,
    }),
    periodicJob({
      name: "signature-cleanup",
      intervalMs: 3_600_000,
      tick: () =>
        forgetSignedRequests(
          d.paging.pool,
          new Date(d.paging.clock.now().getTime() - 2 * d.paging.settings.ackTtlMs),
        ),
      log: log("signature-cleanup"),
      metrics: d.metrics,
    }),
  ];
}

/** The drainer's health callback, for OutboxDrainerOptions.onPass. */
export const drainerHealth =
  (metrics: Metrics) =>
  (ok: boolean, seconds: number): void =>
    recordJobPass(metrics, "outbox-drainer", ok, seconds);
