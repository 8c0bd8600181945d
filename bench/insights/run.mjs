// /insights render time on a big history: 10,000 incidents and 1,000,000 timeline events
// (seeded in SQL, bench/insights/seed.mjs), served by `firebreak web` (real Postgres), each
// request timed from send to the last byte; against a plain `SELECT count(*)` over the same
// timeline in the same run. Prints p50 and p99 of both and the ratio. Goal: p99 < 300 ms.
//   npm run build && node bench/insights/run.mjs [--requests 100] [--incidents 10000] [--events 100]
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { fmt, percentile, waitForHttp, withBenchDatabase } from "../lib/stats.mjs";
import { freePort, root, startChild } from "../lib/processes.mjs";
import { seedInsightsHistory } from "./seed.mjs";

const { migrate } = await import(path.join(root, "dist/store/migrator.js"));
const { startSlackEmulator } = await import(path.join(root, "dist/emulator/slack/index.js"));
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "100" },
    incidents: { type: "string", default: "10000" },
    events: { type: "string", default: "100" },
  },
});
const requests = Math.min(Number(values.requests), 1000);
const incidents = Math.min(Number(values.incidents), 50_000);
const eventsPerIncident = Math.min(Number(values.events), 200);
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const GOAL_P99_MS = 300;

async function timeAll(label, n, once) {
  for (let i = 0; i < 5; i++) await once(); // warm-up: JIT, pools, caches
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const r = { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.at(-1) };
  console.log(`${label.padEnd(34)} n=${n} p50=${fmt(r.p50)} p99=${fmt(r.p99)} max=${fmt(r.max)}`);
  return r;
}

await withBenchDatabase(pg, PG, `fb_bench_insights_${process.pid}`, async (databaseUrl) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await migrate(pool, path.join(root, "migrations"));
  const t0 = performance.now();
  const seeded = await seedInsightsHistory(pool, { incidents, eventsPerIncident });
  console.log(
    `seeded ${seeded.incidents} incidents, ${seeded.events} timeline events, ${seeded.pages} pages, ${seeded.runs} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const emulator = await startSlackEmulator({});
  const port = await freePort();
  const web = startChild(["dist/main.js", "web"], {
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: "bench",
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    const get = async (p) => {
      const res = await fetch(`http://127.0.0.1:${port}${p}`);
      const body = await res.text();
      if (res.status !== 200 || !body.includes('data-chart="incidents-per-week"'))
        throw new Error(`${p}: ${res.status}`);
    };
    const baseline = await timeAll("SELECT count(*) FROM timeline_events", requests, () =>
      pool.query("SELECT count(*) FROM timeline_events"),
    );
    const page = await timeAll("GET /insights (last 12 weeks)", requests, () => get("/insights"));
    const filtered = await timeAll("GET /insights?severity=P1,P2&source=alert", requests, () =>
      get("/insights?severity=P1,P2&source=alert"),
    );
    const year = await timeAll("GET /insights (a whole year)", Math.min(requests, 30), () => {
      const to = new Date();
      const from = new Date(to.getTime() - 364 * 86_400_000);
      return get(`/insights?from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`);
    });
    console.log(
      `ratio (p99, /insights ÷ count(*)): ${(page.p99 / baseline.p99).toFixed(2)}×; filtered ${(filtered.p99 / baseline.p99).toFixed(2)}×; a year ${(year.p99 / baseline.p99).toFixed(2)}×`,
    );
    console.log(
      `goal p99 < ${GOAL_P99_MS} ms (last 12 weeks): ${page.p99 < GOAL_P99_MS ? "met" : "MISSED"} (${fmt(page.p99)})`,
    );
  } finally {
    await web.stop();
    await emulator.close();
    await pool.end();
  }
});
