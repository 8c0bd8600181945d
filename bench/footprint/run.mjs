// Footprint: idle RSS 10 s after start, and time from spawn to GET /readyz 200 (database
// already migrated), for `web`, `worker` and `start` with a Slack token (production mode,
// against the Slack emulator), beside a bare Bolt app measured in the same run.
//   node bench/footprint/run.mjs [--runs 3] [--idle-ms 10000]
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { freePort, root, startChild } from "../lib/processes.mjs";
import { median } from "../lib/stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, "idle-ms": { type: "string", default: "10000" } },
});
const RUNS = Number(values.runs);
const IDLE_MS = Number(values["idle-ms"]);
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const dist = (p) => import(path.join(root, "dist", p));
const { startSlackEmulator } = await dist("emulator/slack/index.js");
const { migrate } = await dist("store/migrator.js");
const { MIGRATIONS_DIR } = await dist("config.js");

// Production runs each process as the Procfile says (with its V8 flags); so does this bench.
// The bare Bolt app gets the same flags: they make no difference to it (82-84 MB either way).
const procfile = Object.fromEntries(
  readFileSync(path.join(root, "Procfile"), "utf8")
    .split("\n")
    .filter((l) => l.includes(":"))
    .map((l) => [
      l.slice(0, l.indexOf(":")).trim(),
      l
        .slice(l.indexOf(":") + 1)
        .trim()
        .split(/\s+/)
        .slice(1),
    ]),
);
const flags = procfile.web.filter((a) => a.startsWith("--"));

const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function untilOk(url, deadlineMs) {
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadlineMs) throw new Error(`${url} never answered 200`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Spawns, times spawn → `probe` 200, waits IDLE_MS, reads RSS, stops. */
async function measure(args, env, probe) {
  const port = await freePort();
  const started = performance.now();
  const proc = startChild(args, { ...env, PORT: String(port) });
  try {
    await untilOk(`http://127.0.0.1:${port}${probe}`, Date.now() + 60_000);
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { readyMs, rssMb: rssMb(proc.child.pid) };
  } finally {
    await proc.stop();
  }
}

const emulator = await startSlackEmulator({});
const dbName = `fb_bench_footprint_${process.pid}`;
const admin = new pg.Client({ connectionString: `${PG}/postgres` });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
await admin.query(`CREATE DATABASE ${dbName}`);
const databaseUrl = `${PG}/${dbName}`;
try {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await migrate(pool, MIGRATIONS_DIR);
  await pool.end();
  const env = {
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: "bench-signing-secret",
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: REDIS,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ALERTMANAGER_TOKEN: "bench",
    FIREBREAK_CONFIG: path.join(root, "firebreak.example.yaml"),
    FIREBREAK_COMMANDS_DIR: path.join(root, "commands"),
    FIREBREAK_REDIS_PREFIX: `fb-bench-footprint-${process.pid}`,
  };
  const results = {};
  const kinds = [
    [
      "bare Bolt",
      [...flags, path.join(root, "bench/ack-latency/bare-bolt.mjs")],
      { SIGNING_SECRET: "x" },
      "/healthz",
    ],
    ["web", procfile.web, env, "/readyz"],
    ["worker", procfile.worker, env, "/readyz"],
    ["start", [...flags, "dist/main.js", "start"], env, "/readyz"],
  ];
  for (let i = 0; i < RUNS; i++)
    for (const [name, args, e, probe] of kinds) (results[name] ??= []).push(await measure(args, e, probe));
  const floor = {
    rss: median(results["bare Bolt"].map((r) => r.rssMb)),
    ready: median(results["bare Bolt"].map((r) => r.readyMs)),
  };
  console.log(
    `footprint: ${RUNS} runs each, RSS ${IDLE_MS / 1000} s after start (medians); node flags as in the Procfile: ${flags.join(" ") || "none"}`,
  );
  console.log("| process | idle RSS | × bare Bolt | spawn → ready | × bare Bolt |");
  console.log("|---|---|---|---|---|");
  for (const [name] of kinds) {
    const rss = median(results[name].map((r) => r.rssMb));
    const ready = median(results[name].map((r) => r.readyMs));
    console.log(
      `| ${name} | ${rss.toFixed(1)} MB | ${(rss / floor.rss).toFixed(2)}× | ${ready.toFixed(0)} ms | ${(ready / floor.ready).toFixed(2)}× |`,
    );
  }
} finally {
  await emulator.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
