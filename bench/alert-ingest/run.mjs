// Alertmanager webhook ingest, two runs on loopback, each on a database of its own:
// 1. stream: sustained notifications/s and answer time (p50, p99) for a stream of distinct
//    webhooks against Firebreak (`firebreak start`, real Postgres and Redis, the Slack
//    emulator as Slack), and against a bare node:http server that parses the same JSON and
//    inserts one row into Postgres (the floor); prints both and the ratio, and how long
//    Firebreak took until every notification was processed into incidents;
// 2. storm: N alerts in G new groups at once: incidents opened, channels created, Slack
//    calls made, alerts lost (must be 0).
//   npm run build && node_modules/.bin/node bench/alert-ingest/run.mjs [--count 3000] [--concurrency 32] [--alerts 20000] [--groups 500]
import { createHash, randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { fmt, percentile, waitForHttp, withBenchDatabase } from "../lib/stats.mjs";
import { freePort, startChild } from "../lib/processes.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const { startSlackEmulator } = await import(path.join(root, "dist/emulator/slack/index.js"));
const { values } = parseArgs({
  options: {
    count: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "32" },
    alerts: { type: "string", default: "20000" },
    groups: { type: "string", default: "500" },
  },
});
const count = Math.min(Number(values.count), 20_000);
const concurrency = Math.min(Number(values.concurrency), 128);
const stormGroups = Math.min(Number(values.groups), 2_000);
const alertsPerGroup = Math.max(1, Math.floor(Math.min(Number(values.alerts), 100_000) / stormGroups));
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const TOKEN = randomBytes(18).toString("base64url");
const RUN_LIMIT_MS = 180_000;

async function startFirebreak(databaseUrl, emulator) {
  const port = await freePort();
  const child = startChild(["dist/main.js", "start"], {
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: "bench",
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    ALERTMANAGER_TOKEN: TOKEN,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return { url: `http://127.0.0.1:${port}`, stop: child.stop };
}

const fingerprint = (labels) =>
  createHash("sha256").update(JSON.stringify(labels)).digest("hex").slice(0, 16);

/** A webhook v4 body as Alertmanager sends it: `n` firing alerts of one group. */
function webhook(alertname, namespace, pods, startsAt) {
  const alerts = pods.map((pod) => {
    const labels = { alertname, namespace, pod, severity: "warning" };
    return {
      status: "firing",
      labels,
      annotations: {
        summary: `${pod} of ${alertname} is unhappy`,
        runbook_url: "https://runbooks.example.com/x",
      },
      startsAt,
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus:9090/graph?g0.expr=up",
      fingerprint: fingerprint(labels),
    };
  });
  return JSON.stringify({
    receiver: "firebreak",
    status: "firing",
    alerts,
    groupLabels: { alertname, namespace },
    commonLabels: { alertname, namespace, severity: "warning" },
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    version: "4",
    groupKey: `{}:{alertname="${alertname}", namespace="${namespace}"}`,
    truncatedAlerts: 0,
  });
}

/** Closed loop: `concurrency` requests in flight until `bodies` are sent; per-request answer times. */
async function stream(url, bodies) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${url}/alerts/alertmanager`);
  const latencies = [];
  const statuses = new Map();
  let next = 0;
  const send = (body) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${TOKEN}`,
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(performance.now() - t0);
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on("error", () => {
        statuses.set("error", (statuses.get("error") ?? 0) + 1);
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length && performance.now() - started < RUN_LIMIT_MS) await send(bodies[next++]);
    }),
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    n: sorted.length,
    perSecond: (sorted.length / wallMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statuses: Object.fromEntries(statuses),
    wallMs,
  };
}

async function until(what, fn, limitMs = RUN_LIMIT_MS) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const line = (label, s) =>
  `${label.padEnd(10)} n=${s.n} ${JSON.stringify(s.statuses)} ${s.perSecond.toFixed(0)} notifications/s p50=${fmt(s.p50)} p99=${fmt(s.p99)}`;

// Run 1: the stream. Distinct bodies (each one alert more of one of 200 groups), so none is a duplicate.
const startsAt = new Date(Date.now() - 60_000).toISOString();
const bodies = Array.from({ length: count }, (_, i) =>
  webhook(
    `Stream${i % 200}`,
    "bench",
    Array.from({ length: 1 + Math.floor(i / 200) }, (_, k) => `pod-${k}`),
    startsAt,
  ),
);
const warmup = bodies.slice(0, 100).map((b) => b.replace('"receiver":"firebreak"', '"receiver":"warmup"'));
let firebreak, floor;
await withBenchDatabase(pg, PG, `fb_bench_alerts_${process.pid}`, async (databaseUrl) => {
  const emulator = await startSlackEmulator({});
  const fb = await startFirebreak(databaseUrl, emulator);
  const barePort = await freePort();
  const bare = startChild(["bench/alert-ingest/bare-ingest.mjs"], {
    DATABASE_URL: databaseUrl,
    PORT: String(barePort),
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await waitForHttp(`http://127.0.0.1:${barePort}/`);
    await stream(`http://127.0.0.1:${barePort}`, warmup);
    await stream(fb.url, warmup);
    await until(
      "warm-up processed",
      async () =>
        (await pool.query("SELECT count(*)::int AS n FROM alert_notifications WHERE processed_at IS NULL"))
          .rows[0].n === 0,
    );
    console.log(
      `stream: ${count} distinct notifications, ${concurrency} in flight, 200 groups, 1–${Math.ceil(count / 200)} alerts each`,
    );
    floor = await stream(`http://127.0.0.1:${barePort}`, bodies);
    console.log(line("bare", floor));
    const t0 = performance.now();
    firebreak = await stream(fb.url, bodies);
    console.log(line("Firebreak", firebreak));
    await until(
      "every notification processed",
      async () =>
        (await pool.query("SELECT count(*)::int AS n FROM alert_notifications WHERE processed_at IS NULL"))
          .rows[0].n === 0,
    );
    const processedMs = performance.now() - t0;
    console.log(
      `ratio (Firebreak / bare): throughput ${(firebreak.perSecond / floor.perSecond).toFixed(2)}x, p50 ${(firebreak.p50 / floor.p50).toFixed(2)}x, p99 ${(firebreak.p99 / floor.p99).toFixed(2)}x`,
    );
    console.log(
      `Firebreak processed all ${count} into incidents in ${(processedMs / 1000).toFixed(1)} s (${((count / processedMs) * 1000).toFixed(0)} notifications/s end to end)`,
    );
  } finally {
    await pool.end();
    await fb.stop();
    await bare.stop();
    await emulator.close();
  }
});

// Run 2: the storm. Every group new at once, each notification listing all its alerts.
await withBenchDatabase(pg, PG, `fb_bench_storm_${process.pid}`, async (databaseUrl) => {
  const emulator = await startSlackEmulator({});
  const fb = await startFirebreak(databaseUrl, emulator);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const total = stormGroups * alertsPerGroup;
    const pods = Array.from({ length: alertsPerGroup }, (_, k) => `pod-${k}`);
    const storm = Array.from({ length: stormGroups }, (_, g) =>
      webhook(`Storm${g}`, "bench", pods, startsAt),
    );
    console.log(
      `storm: ${total} alerts in ${stormGroups} new groups (${alertsPerGroup} each), default threshold 10 new groups a minute`,
    );
    const stormStarted = performance.now();
    const s = await stream(fb.url, storm);
    console.log(line("answers", s));
    const q = async (sql) => (await pool.query(sql)).rows[0];
    await until(
      "storm processed",
      async () =>
        (await q("SELECT count(*)::int AS n FROM alert_notifications WHERE processed_at IS NULL")).n === 0,
    );
    console.log(
      `every alert stored and merged ${((performance.now() - stormStarted) / 1000).toFixed(1)} s after the first notification`,
    );
    // The outbox paces Slack (tiers, one message a second per channel): let it finish.
    await until(
      "Slack outbox drained",
      async () => (await q("SELECT count(*)::int AS n FROM slack_outbox WHERE status = 'pending'")).n === 0,
    );
    const incidents = await q(
      "SELECT count(*)::int AS n, count(*) FILTER (WHERE id IN (SELECT incident_id FROM alert_storms))::int AS storms FROM incidents",
    );
    const groups = await q(
      "SELECT count(*)::int AS n, count(*) FILTER (WHERE via_storm)::int AS collected FROM alert_groups",
    );
    const stored = await q("SELECT count(*)::int AS n FROM alert_states");
    const calls = await q(
      "SELECT coalesce(sum(attempts), 0)::int AS n, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM slack_outbox",
    );
    const byMethod = (
      await pool.query(
        "SELECT method, sum(attempts)::int AS n FROM slack_outbox GROUP BY method ORDER BY method",
      )
    ).rows
      .map((r) => `${r.method} ${r.n}`)
      .join(", ");
    const limited = await q(
      "SELECT count(*) FILTER (WHERE last_error = 'ratelimited')::int AS n FROM slack_outbox",
    );
    console.log(
      `incidents opened: ${incidents.n} (${incidents.n - incidents.storms} of their own, ${incidents.storms} storm incident collecting ${groups.collected} groups)`,
    );
    console.log(
      `channels created: ${emulator.callsTo("conversations.create").filter((c) => c.status === 200).length}`,
    );
    console.log(
      `Slack calls made: ${calls.n} (${byMethod}); failed ${calls.failed}; answered 429: ${limited.n}`,
    );
    console.log(
      `alerts tracked: ${stored.n} of ${total} in ${groups.n} groups — alerts lost: ${total - stored.n}`,
    );
  } finally {
    await pool.end();
    await fb.stop();
    await emulator.close();
  }
});
