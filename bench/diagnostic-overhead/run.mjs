// Time from `/run mysql-processlist` to the result posted in the incident channel, for
// Firebreak (`firebreak start`, real Postgres, Redis and MariaDB, the Slack emulator as
// Slack) against the bare mysql2 work the diagnostic does — connect, the same process-list
// query, close — in the same run. Prints both and the ratio.
//   npm run build && node bench/diagnostic-overhead/run.mjs [--runs 15]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import mysql from "mysql2/promise";
import pg from "pg";
import { fmt, summarize, waitForHttp, withBenchDatabase } from "../lib/stats.mjs";
import { freePort } from "../lib/processes.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const { createSlackRequestSender, startSlackEmulator } = await import(
  path.join(root, "dist/emulator/slack/index.js")
);
const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Math.max(3, Math.min(Number(values.runs), 60));
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const MYSQL = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
// Result messages in one channel are paced at one a second: leave that much between runs.
const PACE_MS = 1_100;
const QUERY = `SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command,
  TIME AS time, STATE AS state, INFO AS info FROM information_schema.PROCESSLIST
  WHERE ID <> CONNECTION_ID() AND TIME >= ? AND COMMAND IN (?) ORDER BY TIME DESC, ID`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The diagnostic's own database work, without Firebreak: one connection, the query, close. */
async function bareQuery() {
  const url = new URL(MYSQL);
  const t0 = performance.now();
  const conn = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1) || undefined,
  });
  await conn.execute(QUERY, [0, "Query"]);
  await conn.end();
  return performance.now() - t0;
}

const dir = mkdtempSync(path.join(tmpdir(), "fb-bench-diag-"));
writeFileSync(
  path.join(dir, "firebreak.yaml"),
  `roles:\n  responder: { users: [U0CAROL] }\ntargets:\n  mysql:\n    bench-db: { url_env: BENCH_TARGET_MYSQL_URL }\n`,
);
try {
  await withBenchDatabase(pg, PG, `fb_bench_diag_${process.pid}`, async (databaseUrl) => {
    const emulator = await startSlackEmulator({});
    const secret = randomBytes(12).toString("hex");
    const port = await freePort();
    const child = spawn(process.execPath, ["dist/main.js", "start"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: emulator.botToken,
        SLACK_SIGNING_SECRET: secret,
        SLACK_API_URL: emulator.apiUrl,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        FIREBREAK_CONFIG: path.join(dir, "firebreak.yaml"),
        FIREBREAK_COMMANDS_DIR: path.join(root, "commands"),
        BENCH_TARGET_MYSQL_URL: MYSQL,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const stop = () =>
      new Promise((r) => (child.exitCode !== null ? r() : (child.once("exit", r), child.kill("SIGTERM"))));
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const sender = createSlackRequestSender({
        targetUrl: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: secret,
        emulator,
      });
      await sender.slashCommand({
        command: "/incident",
        text: "declare P2 Benchmark incident",
        userId: "U0CAROL",
        channelId: "C0INCIDENTS",
      });
      let channel = null;
      for (let i = 0; i < 100 && !channel; i++) {
        channel = (await pool.query("SELECT channel_id FROM incidents WHERE summary_ts IS NOT NULL")).rows[0]
          ?.channel_id;
        if (!channel) await sleep(100);
      }
      if (!channel) throw new Error("the benchmark incident's channel was not created");
      await sleep(PACE_MS);

      let runId = 0;
      const oneRun = async () => {
        const id = ++runId;
        const posted = emulator.waitForCall(
          "chat.postMessage",
          (c) => String(c.args.text ?? "").includes(`(run #${id})`),
          { timeoutMs: 30_000 },
        );
        const t0 = performance.now();
        await sender.slashCommand({
          command: "/run",
          text: "mysql-processlist target=bench-db min_time=0",
          userId: "U0CAROL",
          channelId: channel,
        });
        const call = await posted;
        const ms = performance.now() - t0;
        if (!String(call.args.text).endsWith("succeeded")) throw new Error(`run #${id}: ${call.args.text}`);
        await sleep(PACE_MS);
        return ms;
      };
      // Warm-up: JIT, pools, the first connections.
      for (let i = 0; i < 3; i++) {
        await oneRun();
        await bareQuery();
      }
      const fb = [];
      const bare = [];
      const started = performance.now();
      for (let i = 0; i < runs; i++) {
        bare.push(await bareQuery());
        fb.push(await oneRun());
      }
      const wall = performance.now() - started;
      const f = summarize(fb, wall);
      const b = summarize(bare, wall);
      console.log(`MySQL process-list diagnostic, ${runs} runs each (loopback, one at a time):`);
      console.log(`bare mysql2  p50=${fmt(b.p50)} p99=${fmt(b.p99)} max=${fmt(b.max)}`);
      console.log(
        `Firebreak    p50=${fmt(f.p50)} p99=${fmt(f.p99)} max=${fmt(f.max)}  (/run → result posted)`,
      );
      console.log(
        `overhead: p50 +${fmt(f.p50 - b.p50)}, ratio (Firebreak / bare): p50 ${(f.p50 / b.p50).toFixed(1)}x, p99 ${(f.p99 / b.p99).toFixed(1)}x`,
      );
      const recorded = (
        await pool.query("SELECT count(*)::int AS n FROM timeline_events WHERE kind = 'run.succeeded'")
      ).rows[0].n;
      console.log(`runs recorded as finished in the timeline: ${recorded} (sent ${runs + 3})`);
    } finally {
      await pool.end();
      await stop();
      await emulator.close();
    }
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
