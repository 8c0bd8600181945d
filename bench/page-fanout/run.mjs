// Paging fan-out: N pages fall due at once (an escalation step each), to N people with three
// contact methods each (SMS, email, push, all "after: 0m"). Firebreak claims each page,
// fans it out into one durable delivery per (page, method), and sends each through its
// provider (the official Twilio client against the Twilio fake, nodemailer against a real
// SMTP server, ntfy's publish API against the ntfy fake), two worker replicas. Reports, per
// provider, p50/p99 of (request arrival at the provider - page due), beside bare BullMQ
// delivering the same 3N messages through the same provider adapters in the same run, and
// the ratio. Duplicates and misses must both be 0. Own database, own Redis prefix, loopback.
//   npm run build && node bench/page-fanout/run.mjs [--pages 1000]
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { fmt, summarize, withBenchDatabase } from "../lib/stats.mjs";

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
const { startTwilioFake } = await dist("emulator/twilio/index.js");
const { startNtfyFake } = await dist("emulator/ntfy/index.js");
const { smsText, emailMessage, ntfyMessage } = await dist("core/notify/page-messages.js");

const { values } = parseArgs({
  options: {
    pages: { type: "string", default: "1000" },
    replicas: { type: "string", default: "2" },
    concurrency: { type: "string", default: "8" },
  },
});
const count = Math.min(Number(values.pages), 2000);
const replicas = Math.min(Number(values.replicas), 4);
const concurrency = Math.min(Number(values.concurrency), 32);
const LEAD_MS = 8_000; // to create rows and jobs before the pages fall due
const DEADLINE_MS = 120_000; // after the due time: anything not at its provider by then is a miss
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `fb-bench-fanout-${randomBytes(4).toString("hex")}`;
const FROM = "+14155550100";
const log = createLogger("warn");

const userOf = (i) => `U0P${String(i).padStart(5, "0")}`;
const numberOf = (i) => `+4915${String(100_000_000 + i)}`;
const addressOf = (i) => `p${i}@bench.example`;
const topicOf = (i) => `bench-${i}`;

/** The three providers' fakes, recording when each request arrived. */
async function startProviders() {
  const twilio = await startTwilioFake({ numbers: { [FROM]: {} } });
  const ntfy = await startNtfyFake();
  const mails = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), at: Date.now() });
        callback();
      });
    },
  });
  await new Promise((r) => smtp.listen(0, "127.0.0.1", r));
  const settings = {
    twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: FROM, apiUrl: twilio.url },
    ntfy: { url: ntfy.url },
    email: { smtpUrl: `smtp://127.0.0.1:${smtp.server.address().port}`, from: "pages@bench.example" },
  };
  const arrivals = () => ({
    sms: twilio.requests.filter((r) => r.method === "POST" && r.status === 201).map((r) => r.at.getTime()),
    email: mails.map((m) => m.at),
    push: ntfy.requests.filter((r) => r.method === "POST" && r.status === 200).map((r) => r.at.getTime()),
  });
  const duplicates = () => {
    const dup = (keys) => keys.length - new Set(keys).size;
    return (
      dup(twilio.messages.map((m) => m.to)) +
      dup(mails.map((m) => m.to.join())) +
      dup(ntfy.messages.map((m) => m.topic))
    );
  };
  return {
    settings,
    arrivals,
    duplicates,
    async close() {
      await twilio.close();
      await ntfy.close();
      await new Promise((r) => smtp.close(r));
    },
  };
}

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

async function waitFor(arrivals, startAt) {
  const deadline = startAt + DEADLINE_MS;
  for (;;) {
    const a = arrivals();
    if ((a.sms.length >= count && a.email.length >= count && a.push.length >= count) || Date.now() > deadline)
      return a;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function report(label, a, startAt, duplicates) {
  const out = {};
  const parts = [];
  for (const key of ["sms", "email", "push"]) {
    const late = a[key].map((t) => t - startAt);
    out[key] = summarize(late, Math.max(1, ...late));
    parts.push(`${key} n=${late.length} p50=${fmt(out[key].p50)} p99=${fmt(out[key].p99)}`);
  }
  const misses = 3 * count - (a.sms.length + a.email.length + a.push.length);
  console.log(`${label.padEnd(14)} ${parts.join(" | ")} duplicates=${duplicates} misses=${misses}`);
  return out;
}

/** The floor: bare BullMQ, 3N jobs due at once, each sending its message through the same adapter. */
async function bareRun(label) {
  const p = await startProviders();
  const prefix = `${PREFIX}-bare-${label}`;
  const conn = new Redis(REDIS, { maxRetriesPerRequest: null });
  const queue = new Queue("bare-fanout", { connection: conn, prefix });
  const workers = [];
  for (let r = 0; r < replicas; r++) {
    const providers = createPageProviders(p.settings);
    const wc = new Redis(REDIS, { maxRetriesPerRequest: null });
    const w = new Worker(
      "bare-fanout",
      async (job) => {
        const { i, type } = job.data;
        const page = { incidentId: i, severity: "P1", title: `bench ${i}`, ackCode: "1234" };
        const message =
          type === "sms"
            ? { type: "sms", to: numberOf(i), body: smsText([page]) }
            : type === "email"
              ? { type: "email", to: addressOf(i), ...emailMessage([page]), messageId: `<bare-${i}@bench>` }
              : { type: "ntfy", topic: topicOf(i), message: ntfyMessage(page) };
        await (await providers.get(type === "push" ? "ntfy" : type)).send(message);
      },
      { connection: wc, prefix, concurrency },
    );
    workers.push({ w, wc, providers });
  }
  const startAt = Date.now() + LEAD_MS;
  const jobs = [];
  for (let i = 1; i <= count; i++)
    for (const type of ["sms", "email", "push"])
      jobs.push({
        name: "d",
        data: { i, type },
        opts: { jobId: `${type}-${i}`, delay: startAt - Date.now(), removeOnComplete: true },
      });
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  const a = await waitFor(p.arrivals, startAt);
  const out = report(`bare (${label})`, a, startAt, p.duplicates());
  for (const { w, wc, providers } of workers) {
    await w.close();
    wc.disconnect();
    await providers.close();
  }
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  conn.disconnect();
  await dropPrefix(prefix);
  await p.close();
  return out;
}

console.log(
  `${count} pages due at once to ${count} people with SMS, email and push at 0m (${3 * count} deliveries); ${replicas} worker replicas x concurrency ${concurrency}`,
);
const floors = [await bareRun("before")];

const fb = await withBenchDatabase(pg, PG, `fb_bench_fanout_${process.pid}`, async (databaseUrl) => {
  const p = await startProviders();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  await migrate(pool, MIGRATIONS_DIR);
  const config = parseFirebreakConfig("timezone: UTC");
  for (let i = 1; i <= count; i++)
    config.people[userOf(i)] = {
      methods: [
        { id: "phone", type: "sms", target: numberOf(i), source: "config", verified: true },
        { id: "mail", type: "email", target: addressOf(i), source: "config", verified: true },
        { id: "push", type: "ntfy", target: topicOf(i), source: "config", verified: true },
      ],
      rules: [
        { methodId: "phone", afterMs: 0 },
        { methodId: "mail", afterMs: 0 },
        { methodId: "push", afterMs: 0 },
      ],
    };
  const startAt = Date.now() + LEAD_MS;
  await pool.query(
    `INSERT INTO incidents (title, severity, state, declared_by, declared_at)
     SELECT 'bench ' || g, 'P1', 'declared', 'U0BENCH', now() FROM generate_series(1, $1) g`,
    [count],
  );
  // Each incident's escalation pages its own person, all due at the same moment.
  await pool.query(
    `INSERT INTO escalations (incident_id, status, policy_name, snapshot, started_at, step_started_at, next_due_at, updated_at)
     SELECT id, 'active', 'bench',
            jsonb_build_object('name', 'bench', 'repeat', 0, 'steps', jsonb_build_array(jsonb_build_object(
              'notify', jsonb_build_array(jsonb_build_object('kind', 'user', 'userId', 'U0P' || lpad(id::text, 5, '0'))),
              'ackTimeoutMs', 3600000))),
            now(), now(), to_timestamp($1::bigint / 1000.0), now()
       FROM incidents`,
    [startAt],
  );
  const schedulers = [];
  for (let r = 0; r < replicas; r++) {
    // The pool a worker process makes (prepared statements, timeouts).
    const wpool = createPool(databaseUrl, { max: concurrency + 2 });
    const ctx = {
      pool: wpool,
      clock: { now: () => new Date() },
      config,
      log,
      settings: { ...DEFAULT_PAGING_SETTINGS, reconcileIntervalMs: 60_000, publicUrl: "http://127.0.0.1:9" },
      usergroups: {
        cached: () => undefined,
        load: async () => ({ members: {}, unreadable: [] }),
        refresh: async () => {},
      },
      notifier: createIncidentNotifier(),
      pages: createPageNotifier(),
      providers: createPageProviders(p.settings),
    };
    const queue = createTimerQueue({ redisUrl: REDIS, prefix: PREFIX, log });
    const s = new TimerScheduler({ ctx, queue, databaseUrl, clock: ctx.clock, log, concurrency });
    schedulers.push({ s, wpool, ctx });
  }
  await Promise.all(schedulers.map(({ s }) => s.start()));
  const a = await waitFor(p.arrivals, startAt);
  const { n: dupRows } = (
    await pool.query(
      "SELECT count(*)::int AS n FROM (SELECT page_id, method_id FROM page_deliveries GROUP BY 1, 2 HAVING count(*) > 1) d",
    )
  ).rows[0];
  const out = report("Firebreak", a, startAt, p.duplicates() + dupRows);
  for (const { s, wpool, ctx } of schedulers) {
    await s.stop();
    await ctx.providers.close();
    await wpool.end();
  }
  await pool.end();
  await dropPrefix(PREFIX);
  await p.close();
  return out;
});
floors.push(await bareRun("after"));

const ratios = ["sms", "email", "push"].map((k) => {
  const p50 = (floors[0][k].p50 + floors[1][k].p50) / 2;
  const p99 = (floors[0][k].p99 + floors[1][k].p99) / 2;
  return `${k} p50 ${(fb[k].p50 / p50).toFixed(2)}x, p99 ${(fb[k].p99 / p99).toFixed(2)}x`;
});
console.log(`ratio (Firebreak / mean of the bare runs): ${ratios.join("; ")}`);
console.log(
  "(late = request arrival at the provider - page due; Firebreak's includes claiming the page and its fan-out)",
);
