// Generic webhook ingest (POST /integrations/<name>), two runs on loopback, each on a database
// of its own:
// 1. stream: sustained events/s and answer time (p50, p99) for a stream of generic events
//    against Firebreak (`firebreak start`, real Postgres and Redis, the Slack emulator as
//    Slack), and against the floor: a bare node:http server that parses the same JSON and
//    inserts one row into Postgres (bench/alert-ingest/bare-ingest.mjs); prints both and the
//    ratio, and how long Firebreak took until every event was processed;
// 2. storm: N events over K dedup keys at once: events lost (must be 0), incidents opened
//    (one per key, or the storm incident), channels created, Slack calls made and any 429s.
//   npm run build && node_modules/.bin/node bench/integration-ingest/run.mjs [--count 3000] [--concurrency 32] [--events 20000] [--keys 500]
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { fmt, percentile, waitForHttp, withBenchDatabase } from "../lib/stats.mjs";
import { freePort, root, startChild } from "../lib/processes.mjs";

const { startSlackEmulator } = await import(path.join(root, "dist/emulator/slack/index.js"));
const { values } = parseArgs({
  options: {
    count: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "32" },
    events: { type: "string", default: "20000" },
    keys: { type: "string", default: "500" },
  },
});
const count = Math.min(Number(values.count), 20_000);
const concurrency = Math.min(Number(values.concurrency), 128);
const stormEvents = Math.min(Number(values.events), 50_000);
const stormKeys = Math.min(Number(values.keys), 2_000);
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const TOKEN = randomBytes(18).toString("base64url");
const RUN_LIMIT_MS = 240_000;

const configDir = mkdtempSync(path.join(tmpdir(), "fb-bench-intake-"));
const configPath = path.join(configDir, "firebreak.yaml");
writeFileSync(
  configPath,
  `slack: { announcements_channel: C0INCIDENTS }
integrations:
  - name: cron
    type: generic
    token_env: CRON_WEBHOOK_TOKEN
    fields: { dedup_key: job.id, title: job.message, severity: level, status: state }
    severity_map: { fatal: P1, error: P2, warning: P3 }
    resolved_values: [ok, resolved]
`,
);

async function startFirebreak(databaseUrl, emulator) {
  const port = await freePort();
  const child = startChild(["dist/main.js", "start"], {
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: "bench",
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    FIREBREAK_CONFIG: configPath,
    CRON_WEBHOOK_TOKEN: TOKEN,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return { url: `http://127.0.0.1:${port}`, stop: child.stop };
}

/** A generic event as a cron wrapper might send it. */
const event = (key, i) =>
  JSON.stringify({
    job: { id: key, message: `Job ${key} failed (run ${i})`, host: "batch-1" },
    level: "error",
    state: "failed",
    at: new Date().toISOString(),
  });

/** Closed loop: `concurrency` requests in flight until `bodies` are sent; per-request answer times. */
async function stream(url, bodies) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
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
  `${label.padEnd(10)} n=${s.n} ${JSON.stringify(s.statuses)} ${s.perSecond.toFixed(0)} events/s p50=${fmt(s.p50)} p99=${fmt(s.p99)}`;
const unprocessed = async (pool) =>
  (await pool.query("SELECT count(*)::int AS n FROM alert_notifications WHERE processed_at IS NULL")).rows[0]
    .n;

try {
  // Run 1: the stream, over 200 dedup keys (most events repeat a key that is open).
  const bodies = Array.from({ length: count }, (_, i) => event(`stream-${i % 200}`, i));
  const warmup = Array.from({ length: 100 }, (_, i) => event(`warmup-${i % 10}`, i));
  await withBenchDatabase(pg, PG, `fb_bench_intake_${process.pid}`, async (databaseUrl) => {
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
      await stream(`http://127.0.0.1:${barePort}/`, warmup);
      await stream(`${fb.url}/integrations/cron`, warmup);
      await until("warm-up processed", async () => (await unprocessed(pool)) === 0);
      console.log(`stream: ${count} generic events over 200 dedup keys, ${concurrency} in flight`);
      const floor = await stream(`http://127.0.0.1:${barePort}/`, bodies);
      console.log(line("bare", floor));
      const t0 = performance.now();
      const firebreak = await stream(`${fb.url}/integrations/cron`, bodies);
      console.log(line("Firebreak", firebreak));
      await until("every event processed", async () => (await unprocessed(pool)) === 0);
      const processedMs = performance.now() - t0;
      console.log(
        `ratio (Firebreak / bare): throughput ${(firebreak.perSecond / floor.perSecond).toFixed(2)}x, p50 ${(firebreak.p50 / floor.p50).toFixed(2)}x, p99 ${(firebreak.p99 / floor.p99).toFixed(2)}x`,
      );
      console.log(
        `Firebreak processed all ${count} into incidents in ${(processedMs / 1000).toFixed(1)} s (${((count / processedMs) * 1000).toFixed(0)} events/s end to end)`,
      );
    } finally {
      await pool.end();
      await fb.stop();
      await bare.stop();
      await emulator.close();
    }
  });

  // Run 2: the storm. Every key new at once, each event its own request.
  await withBenchDatabase(pg, PG, `fb_bench_intake_storm_${process.pid}`, async (databaseUrl) => {
    const emulator = await startSlackEmulator({});
    const fb = await startFirebreak(databaseUrl, emulator);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const storm = Array.from({ length: stormEvents }, (_, i) => event(`storm-${i % stormKeys}`, i));
      console.log(
        `storm: ${stormEvents} events over ${stormKeys} new dedup keys, default threshold 10 new groups a minute`,
      );
      const started = performance.now();
      const s = await stream(`${fb.url}/integrations/cron`, storm);
      console.log(line("answers", s));
      const q = async (sql) => (await pool.query(sql)).rows[0];
      await until("storm processed", async () => (await unprocessed(pool)) === 0);
      console.log(
        `every event stored and merged ${((performance.now() - started) / 1000).toFixed(1)} s after the first`,
      );
      await until(
        "Slack outbox drained",
        async () => (await q("SELECT count(*)::int AS n FROM slack_outbox WHERE status = 'pending'")).n === 0,
      );
      const stored = await q(
        "SELECT count(*)::int AS n FROM alert_notifications WHERE processed_at IS NOT NULL",
      );
      const incidents = await q(
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE id IN (SELECT incident_id FROM alert_storms))::int AS storms FROM incidents",
      );
      const groups = await q(
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE via_storm)::int AS collected, count(*) FILTER (WHERE incident_id IS NULL)::int AS orphans FROM alert_groups",
      );
      const perKey = await q(
        "SELECT count(*)::int AS n FROM (SELECT incident_id FROM alert_groups WHERE NOT via_storm GROUP BY incident_id HAVING count(*) > 1) x",
      );
      const tracked = await q("SELECT count(*)::int AS n FROM alert_states WHERE status = 'firing'");
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
      const limited = emulator.callsTo
        ? ["conversations.create", "chat.postMessage", "chat.update", "conversations.invite"]
            .flatMap((m) => emulator.callsTo(m))
            .filter((c) => c.status === 429).length
        : 0;
      const accepted = s.statuses[200] ?? 0;
      console.log(
        `events answered 200: ${accepted} of ${stormEvents}; stored and processed: ${stored.n} — events lost: ${accepted - stored.n}`,
      );
      console.log(
        `incidents opened: ${incidents.n} (${incidents.n - incidents.storms} of their own, ${incidents.storms} storm incident collecting ${groups.collected} keys); keys without an incident: ${groups.orphans}; incidents shared by two keys: ${perKey.n}`,
      );
      console.log(
        `dedup keys tracked: ${groups.n} groups, ${tracked.n} firing alerts (of ${stormKeys} keys)`,
      );
      console.log(
        `channels created: ${emulator.callsTo("conversations.create").filter((c) => c.status === 200).length}`,
      );
      console.log(
        `Slack calls made: ${calls.n} (${byMethod}); failed ${calls.failed}; answered 429: ${limited}`,
      );
    } finally {
      await pool.end();
      await fb.stop();
      await emulator.close();
    }
  });
} finally {
  rmSync(configDir, { recursive: true, force: true });
}
