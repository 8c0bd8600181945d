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
      help: "Background jobs processed, by queue and outcome (ok, failed, retried).",
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
