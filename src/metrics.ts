import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Firebreak's Prometheus metrics, in a registry of its own (served at GET /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "firebreak_process_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "firebreak_http_requests_total",
      help: "HTTP requests served, by route and status code.",
      labelNames: ["route", "code"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "firebreak_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by route.",
      labelNames: ["route"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    slackCalls: new Counter({
      name: "firebreak_slack_calls_total",
      help: "Slack Web API calls made by the outbox, by method and outcome (ok, rate_limited, retry, failed).",
      labelNames: ["method", "outcome"] as const,
      registers: [registry],
    }),
    slackCallDuration: new Histogram({
      name: "firebreak_slack_call_duration_seconds",
      help: "Slack Web API call latency, by method.",
      labelNames: ["method"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    alertNotifications: new Counter({
      name: "firebreak_alert_notifications_total",
      help: "Alertmanager webhook requests, by outcome (stored, duplicate, unauthorized, invalid, too_large, unavailable, disabled).",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    intakeRequests: new Counter({
      name: "firebreak_intake_requests_total",
      help: "Requests to POST /integrations/<name> and /heartbeats/<name>, by door, configured name (unknown for others) and outcome (stored, duplicate, not_open, beat, unknown, unauthorized, invalid, too_large, unavailable).",
      labelNames: ["door", "name", "outcome"] as const,
      registers: [registry],
    }),
    alertNotificationsProcessed: new Counter({
      name: "firebreak_alert_notifications_processed_total",
      help: "Stored Alertmanager notifications processed, by plan (open, storm, reopen, record, track) or failed.",
      labelNames: ["plan"] as const,
      registers: [registry],
    }),
    pages: new Counter({
      name: "firebreak_pages_total",
      help: "Pages sent to people, by notifier channel (slack_dm, webhook) and outcome (delivered, duplicate, failed).",
      labelNames: ["channel", "outcome"] as const,
      registers: [registry],
    }),
    pageDeliveryDuration: new Histogram({
      name: "firebreak_page_delivery_seconds",
      help: "Time from a page falling due to its delivery, by notifier channel.",
      labelNames: ["channel"] as const,
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    runs: new Counter({
      name: "firebreak_runs_total",
      help: "Catalog command runs, by command and outcome (ok, failed, refused, timeout).",
      labelNames: ["command", "outcome"] as const,
      registers: [registry],
    }),
    runDuration: new Histogram({
      name: "firebreak_run_duration_seconds",
      help: "Time a catalog command took to run, by command.",
      labelNames: ["command"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    jobs: new Counter({
      name: "firebreak_jobs_total",
      help: "Passes of background jobs (queue: the job's name) and BullMQ timer jobs (queue: timers), by outcome (ok, failed).",
      labelNames: ["queue", "outcome"] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "firebreak_job_duration_seconds",
      help: "Time a background job took, by queue.",
      labelNames: ["queue"] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers: [registry],
    }),
    jobLastSuccess: new Gauge({
      name: "firebreak_job_last_success_timestamp_seconds",
      help: "When each background job (outbox-drainer, alert-sweeper, run-sweeper, summary-refresher, usergroup-refresher, timer-reconciler, timers) last finished a pass without error, as a Unix time.",
      labelNames: ["job"] as const,
      registers: [registry],
    }),
    jobInterval: new Gauge({
      name: "firebreak_job_interval_seconds",
      help: "How often each periodic background job runs (from firebreak.yaml `jobs:`): alert on last success older than a few intervals.",
      labelNames: ["job"] as const,
      registers: [registry],
    }),
    reconcilerLagSeconds: new Gauge({
      name: "firebreak_reconciler_lag_seconds",
      help: "How late the oldest due timer (page, escalation, reminder) was when the reconciler last looked.",
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: "firebreak_outbox_pending",
      help: "Slack calls waiting in the outbox.",
      registers: [registry],
    }),
    outboxFailed: new Gauge({
      name: "firebreak_outbox_failed",
      help: "Slack calls that finally failed.",
      registers: [registry],
    }),
    outboxOldestSeconds: new Gauge({
      name: "firebreak_outbox_oldest_pending_seconds",
      help: "Age of the oldest Slack call still waiting.",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
