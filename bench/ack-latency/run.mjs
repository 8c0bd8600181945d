// Slash-command ack latency (p50, p99) and throughput at a fixed request rate: Firebreak
// (`firebreak start`, real Postgres and Redis, the Slack emulator as Slack) against a bare
// Bolt app acking the same signed command, in the same run. Prints both and the ratio.
//   npm run build && node bench/ack-latency/run.mjs [--rate 100] [--seconds 10]
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { fmt, openLoop, summarize, waitForHttp, withBenchDatabase } from "../lib/stats.mjs";
import { freePort, startChild } from "../lib/processes.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const { createSlackRequestSender, startSlackEmulator } = await import(
  path.join(root, "dist/emulator/slack/index.js")
);
const { values } = parseArgs({
  options: { rate: { type: "string", default: "100" }, seconds: { type: "string", default: "10" } },
});
const rate = Math.min(Number(values.rate), 500);
const seconds = Math.min(Number(values.seconds), 60);
const count = rate * seconds;
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";

async function measure(label, url, secret, emulator, text) {
  const sender = createSlackRequestSender({
    targetUrl: `${url}/slack/events`,
    signingSecret: secret,
    emulator,
  });
  // Warm-up: JIT, pools, connections.
  await openLoop({
    count: 50,
    ratePerSecond: 50,
    deadlineMs: 5_000,
    send: async () =>
      (await sender.slashCommand({ command: "/incident", text, userId: "U0CAROL", channelId: "C0INCIDENTS" }))
        .status === 200,
  });
  const r = await openLoop({
    count,
    ratePerSecond: rate,
    deadlineMs: (seconds + 5) * 1000,
    send: async () =>
      (await sender.slashCommand({ command: "/incident", text, userId: "U0CAROL", channelId: "C0INCIDENTS" }))
        .status === 200,
  });
  const s = summarize(r.latencies, r.wallMs);
  console.log(
    `${label.padEnd(10)} n=${s.n} errors=${r.errors} p50=${fmt(s.p50)} p99=${fmt(s.p99)} max=${fmt(s.max)} throughput=${s.perSecond.toFixed(1)}/s`,
  );
  return s;
}

await withBenchDatabase(pg, PG, `fb_bench_ack_${process.pid}`, async (databaseUrl) => {
  const emulator = await startSlackEmulator({});
  const secret = randomBytes(12).toString("hex");
  const [fbPort, barePort] = [await freePort(), await freePort()];
  const fb = startChild(["dist/main.js", "start"], {
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: databaseUrl,
    PORT: String(fbPort),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  });
  const bare = startChild(["bench/ack-latency/bare-bolt.mjs"], {
    SIGNING_SECRET: secret,
    PORT: String(barePort),
  });
  try {
    await waitForHttp(`http://127.0.0.1:${fbPort}/healthz`);
    await waitForHttp(`http://127.0.0.1:${barePort}/healthz`);
    // One incident to act on: the measured command adds a note to it (a real write after the ack).
    const sender = createSlackRequestSender({
      targetUrl: `http://127.0.0.1:${fbPort}/slack/events`,
      signingSecret: secret,
      emulator,
    });
    await sender.slashCommand({
      command: "/incident",
      text: "declare P2 Benchmark incident",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    for (let i = 0; i < 100 && !(await pool.query("SELECT 1 FROM incidents WHERE id = 1")).rowCount; i++)
      await new Promise((r) => setTimeout(r, 100));
    console.log(`ack latency at ${rate} req/s for ${seconds}s (${count} signed /incident commands each):`);
    const base = await measure(
      "bare Bolt",
      `http://127.0.0.1:${barePort}`,
      secret,
      emulator,
      "note #1 benchmark",
    );
    const firebreak = await measure(
      "Firebreak",
      `http://127.0.0.1:${fbPort}`,
      secret,
      emulator,
      "note #1 benchmark",
    );
    // Notes are written after the ack: give the last ones a moment (bounded) before counting.
    const sent = firebreak.n + 50;
    let notes = 0;
    for (let i = 0; i < 100 && notes < sent; i++) {
      notes = (
        await pool.query(
          "SELECT count(*)::int AS n FROM timeline_events WHERE incident_id = 1 AND kind = 'incident.note'",
        )
      ).rows[0].n;
      if (notes < sent) await new Promise((r) => setTimeout(r, 100));
    }
    await pool.end();
    console.log(
      `ratio (Firebreak / bare Bolt): p50 ${(firebreak.p50 / base.p50).toFixed(2)}x, p99 ${(firebreak.p99 / base.p99).toFixed(2)}x, throughput ${(firebreak.perSecond / base.perSecond).toFixed(2)}x`,
    );
    console.log(`notes recorded by Firebreak: ${notes} (sent ${sent})`);
  } finally {
    await fb.stop();
    await bare.stop();
    await emulator.close();
  }
});
