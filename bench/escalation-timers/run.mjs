// How late escalation pages fire with many active escalations: Firebreak's paging engine
// (BullMQ delayed jobs, Postgres row locks, pages claimed exactly once, DM queued in the
// outbox, timeline appended; two worker replicas) against a bare BullMQ delayed-job loop on
// the same Redis (the floor). Reports p50/p99 of (actual - due), the page rate, and
// duplicates and misses (both must be 0). Own database, own Redis prefix, loopback only.
//   npm run build && node bench/escalation-timers/run.mjs [--count 10000] [--spread 30]
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { fmt, summarize, withBenchDatabase } from "../lib/stats.mjs";
import { runBareBullmq } from "./bare-bullmq.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const dist = (p) => import(path.join(root, "dist", p));
const { parseFirebreakConfig, MIGRATIONS_DIR } = await dist("config.js");
const { migrate } = await dist("store/migrator.js");
const { createPool } = await dist("store/pool.js");
const { createLogger } = await dist("log.js");
const { DEFAULT_PAGING_SETTINGS } = await dist("paging/context.js");
const { createTimerQueue } = await dist("jobs/timer-queue.js");
const { TimerScheduler } = await dist("jobs/timer-scheduler.js");
const { createIncidentNotifier } = await dist("slack/notifiers/incident-notifier.js");
const { createPageNotifier } = await dist("slack/notifiers/page-notifier.js");
const { createPageProviders } = await dist("providers/index.js");

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "10000" },
    spread: { type: "string", default: "300" },
    window: { type: "string", default: "45" },
    replicas: { type: "string", default: "2" },
    concurrency: { type: "string", default: "8" },
  },
});
const count = Math.min(Number(values.count), 20_000);
const spreadMs = Math.min(Number(values.spread), 3600) * 1000;
const windowMs = Math.min(Number(values.window) * 1000, spreadMs, 120_000);
const expected = Math.min(count, Math.floor((windowMs * count) / spreadMs) + 1);
const replicas = Math.min(Number(values.replicas), 4);
const concurrency = Math.min(Number(values.concurrency), 32);
const LEAD_MS = 8_000; // time to create the rows and jobs before the first one falls due
const DRAIN_DEADLINE_MS = 60_000; // after the last due time: anything unpaged by then is a miss
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `fb-bench-timers-${randomBytes(4).toString("hex")}`;
const log = createLogger("warn");

const CONFIG = `
timezone: UTC
schedules:
  primary:
    time_zone: Europe/Berlin
    layers:
      - { name: daily, users: [U0B1, U0B2, U0B3, U0B4, U0B5], shift: daily, handoff: "09:00", start: "2026-01-05" }
`;
const SNAPSHOT = {
  name: "bench",
  repeat: 0,
  // One page each within the run: the next step is an hour away.
  steps: [
    { notify: [{ kind: "schedule", schedule: "primary" }], ackTimeoutMs: 3_600_000 },
    { notify: [{ kind: "user", userId: "U0LEAD" }], ackTimeoutMs: 3_600_000 },
  ],
};

async function dropPrefix(prefix) {
  const redis = new Redis(REDIS);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
}

function report(label, late, fired, wallMs, duplicates, misses) {
  const s = summarize(late, wallMs);
  console.log(
    `${label.padEnd(12)} fired=${fired} p50 late=${fmt(s.p50)} p99 late=${fmt(s.p99)} max=${fmt(s.max)} rate=${s.perSecond.toFixed(0)}/s duplicates=${duplicates} misses=${misses}`,
  );
  return s;
}

console.log(
  `${count} active escalations due over ${spreadMs / 1000}s; measuring the ${expected} due in the first ${windowMs / 1000}s (${((expected * 1000) / windowMs).toFixed(0)} pages/s offered); ${replicas} worker replicas x concurrency ${concurrency}`,
);

// The floor, run before and after Firebreak (the machine may be shared: the two runs show the noise).
async function floorRun(label) {
  const prefix = `${PREFIX}-bare-${label}`;
  const bare = await runBareBullmq({
    redisUrl: REDIS,
    prefix,
    count,
    startAt: Date.now() + LEAD_MS,
    spreadMs,
    windowMs,
    replicas,
    concurrency,
    deadlineMs: DRAIN_DEADLINE_MS,
  });
  await dropPrefix(prefix);
  const maxLate = bare.late.reduce((m, l) => Math.max(m, l), 0);
  return report(`bare (${label})`, bare.late, bare.fired, windowMs + maxLate, bare.duplicates, bare.misses);
}
const floors = [await floorRun("before")];

await withBenchDatabase(pg, PG, `fb_bench_timers_${process.pid}`, async (databaseUrl) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  await migrate(pool, MIGRATIONS_DIR);
  const config = parseFirebreakConfig(CONFIG);
  const startAt = Date.now() + LEAD_MS;
  // Incidents and their active escalations, due spread evenly over the window.
  await pool.query(
    `INSERT INTO incidents (title, severity, state, declared_by, declared_at)
     SELECT 'bench ' || g, 'P1', 'declared', 'U0BENCH', now() FROM generate_series(1, $1) g`,
    [count],
  );
  await pool.query(
    `INSERT INTO escalations (incident_id, status, policy_name, snapshot, started_at, step_started_at, next_due_at, updated_at)
     SELECT id, 'active', 'bench', $2::jsonb, now(), now(),
            to_timestamp(($3::bigint + ((id - 1) * $4::bigint) / $1::bigint) / 1000.0), now()
       FROM incidents`,
    [count, JSON.stringify(SNAPSHOT), startAt, spreadMs],
  );
  const schedulers = [];
  for (let i = 0; i < replicas; i++) {
    // The pool a worker process makes (prepared statements, timeouts).
    const wpool = createPool(databaseUrl, { max: concurrency + 2 });
    const ctx = {
      pool: wpool,
      clock: { now: () => new Date() },
      config,
      log,
      // The start-up reconcile gives every active escalation its delayed job (horizon: two intervals).
      settings: { ...DEFAULT_PAGING_SETTINGS, reconcileIntervalMs: spreadMs },
      usergroups: {
        cached: () => undefined,
        load: async () => ({ members: {}, unreadable: [] }),
        refresh: async () => {},
      },
      notifier: createIncidentNotifier(),
      pages: createPageNotifier(),
      providers: createPageProviders({}),
    };
    const queue = createTimerQueue({ redisUrl: REDIS, prefix: PREFIX, log });
    const s = new TimerScheduler({ ctx, queue, databaseUrl, clock: ctx.clock, log, concurrency });
    schedulers.push({ s, wpool });
  }
  // Start (each reconciles on start: every timer due within two intervals gets its job).
  await Promise.all(schedulers.map(({ s }) => s.start()));
  const deadline = startAt + windowMs + DRAIN_DEADLINE_MS;
  const inWindow = "incident_id <= $1";
  for (;;) {
    const { n } = (
      await pool.query(`SELECT count(DISTINCT incident_id)::int AS n FROM pages WHERE ${inWindow}`, [
        expected,
      ])
    ).rows[0];
    if (n >= expected || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const stats = (
    await pool.query(
      `SELECT EXTRACT(EPOCH FROM (created_at - due_at)) * 1000 AS late FROM pages WHERE ${inWindow}`,
      [expected],
    )
  ).rows.map((r) => Number(r.late));
  const { last } = (
    await pool.query(
      `SELECT EXTRACT(EPOCH FROM max(created_at)) * 1000 AS last FROM pages WHERE ${inWindow}`,
      [expected],
    )
  ).rows[0];
  const paged = (
    await pool.query(`SELECT count(DISTINCT incident_id)::int AS n FROM pages WHERE ${inWindow}`, [expected])
  ).rows[0].n;
  const dupPages = (
    await pool.query(
      "SELECT count(*)::int AS n FROM (SELECT incident_id FROM pages GROUP BY incident_id HAVING count(*) > 1) d",
    )
  ).rows[0].n;
  const dupDms = (
    await pool.query(
      "SELECT count(*)::int AS n FROM (SELECT incident_id FROM slack_outbox WHERE channel_key LIKE 'dm:%' GROUP BY incident_id HAVING count(*) > 1) d",
    )
  ).rows[0].n;
  for (const { s } of schedulers) await s.stop();
  for (const { wpool } of schedulers) await wpool.end();
  await pool.end();
  await dropPrefix(PREFIX);
  const fb = report(
    "Firebreak",
    stats,
    paged,
    Math.max(windowMs, Number(last) - startAt),
    dupPages + dupDms,
    expected - paged,
  );
  floors.push(await floorRun("after"));
  const base = {
    p50: (floors[0].p50 + floors[1].p50) / 2,
    p99: (floors[0].p99 + floors[1].p99) / 2,
    perSecond: (floors[0].perSecond + floors[1].perSecond) / 2,
  };
  console.log(
    `ratio (Firebreak / mean of the bare runs): p50 late ${(fb.p50 / base.p50).toFixed(2)}x, p99 late ${(fb.p99 / base.p99).toFixed(2)}x, rate ${(fb.perSecond / base.perSecond).toFixed(2)}x`,
  );
  console.log(
    "(rate: pages measured over the time from the first due time to the last page; late = page committed - due)",
  );
});
