import { z } from "zod";
import { durationString } from "./incidents.js";

/** How often each background job runs, in milliseconds. */
export interface JobsConfig {
  /** The outbox drainer's poll when idle (it is woken by NOTIFY as soon as a call is queued). */
  outboxPollMs: number;
  /** The alert sweeper: notifications and lifecycle changes a crash left unprocessed. */
  alertSweepMs: number;
  /** The run sweeper: expired approvals, runs a dead process left running, waiting runs. */
  runSweepMs: number;
  /** Pinned summaries of open incidents re-rendered (age, time left to the response target). */
  summaryRefreshMs: number;
  /** User groups re-read from Slack when stale (each at most every five minutes). */
  usergroupRefreshMs: number;
  /** Slack requests whose work failed after the ack, replayed (web processes). */
  inboundReplayMs: number;
  /** Paging timers rebuilt from Postgres (FIREBREAK_RECONCILE_INTERVAL overrides it). */
  reconcileMs: number;
  /**
   * Escalation steps and incident timers more than 2 s past due that BullMQ has not run (a
   * worker killed holding them) processed straight from Postgres: a page is at most about
   * this much later still.
   */
  overdueSweepMs: number;
  /** Heartbeats' deadlines checked: a missed one opens its incident (at most this late). */
  heartbeatCheckMs: number;
  /** Ended maintenance windows let go of what they held back. */
  maintenanceReleaseMs: number;
  /** How often a worker checks whether the weekly report is due (it is sent once, whoever checks). */
  weeklyReportMs: number;
  /** Shifts about to start looked for, to DM their people (handoff notices). */
  handoffCheckMs: number;
}

export const DEFAULT_JOBS: JobsConfig = {
  outboxPollMs: 1_000,
  alertSweepMs: 2_000,
  runSweepMs: 5_000,
  summaryRefreshMs: 60_000,
  usergroupRefreshMs: 30_000,
  inboundReplayMs: 5_000,
  reconcileMs: 30_000,
  overdueSweepMs: 2_000,
  heartbeatCheckMs: 10_000,
  maintenanceReleaseMs: 10_000,
  weeklyReportMs: 60_000,
  handoffCheckMs: 60_000,
};

const interval = durationString.refine((ms) => ms >= 1_000 && ms <= 3_600_000, {
  message: "use an interval between 1s and 1h",
});

/** The `jobs:` section of firebreak.yaml. */
export const jobsSectionShape = {
  jobs: z
    .strictObject({
      outbox_poll: interval.optional(),
      alert_sweep: interval.optional(),
      run_sweep: interval.optional(),
      summary_refresh: interval.optional(),
      usergroup_refresh: interval.optional(),
      inbound_replay: interval.optional(),
      reconcile: interval.optional(),
      overdue_sweep: interval.optional(),
      heartbeat_check: interval.optional(),
      maintenance_release: interval.optional(),
      weekly_report: interval.optional(),
      handoff_check: interval.optional(),
    })
    .default({}),
};

export function buildJobsConfig(raw: z.output<(typeof jobsSectionShape)["jobs"]>): JobsConfig {
  return {
    outboxPollMs: raw.outbox_poll ?? DEFAULT_JOBS.outboxPollMs,
    alertSweepMs: raw.alert_sweep ?? DEFAULT_JOBS.alertSweepMs,
    runSweepMs: raw.run_sweep ?? DEFAULT_JOBS.runSweepMs,
    summaryRefreshMs: raw.summary_refresh ?? DEFAULT_JOBS.summaryRefreshMs,
    usergroupRefreshMs: raw.usergroup_refresh ?? DEFAULT_JOBS.usergroupRefreshMs,
    inboundReplayMs: raw.inbound_replay ?? DEFAULT_JOBS.inboundReplayMs,
    reconcileMs: raw.reconcile ?? DEFAULT_JOBS.reconcileMs,
    overdueSweepMs: raw.overdue_sweep ?? DEFAULT_JOBS.overdueSweepMs,
    heartbeatCheckMs: raw.heartbeat_check ?? DEFAULT_JOBS.heartbeatCheckMs,
    maintenanceReleaseMs: raw.maintenance_release ?? DEFAULT_JOBS.maintenanceReleaseMs,
    weeklyReportMs: raw.weekly_report ?? DEFAULT_JOBS.weeklyReportMs,
    handoffCheckMs: raw.handoff_check ?? DEFAULT_JOBS.handoffCheckMs,
  };
}
