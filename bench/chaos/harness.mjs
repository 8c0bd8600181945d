// The chaos harness (issue 10): Firebreak's web and worker replicas behind HAProxy, a real
// Alertmanager, the Slack emulator enforcing Slack's rate limits, a private Postgres and
// Redis; load for a bounded time while replicas are killed at random and Postgres, Redis and
// Slack each fail once; then a verdict from ground truth. Loopback only, bounded, self-stopping.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { percentile } from "../lib/stats.mjs";
import { freePort, root } from "../lib/processes.mjs";
import {
  Replica,
  firebreakCli,
  startAlertmanager,
  startHaproxy,
  startPrivatePostgres,
  startPrivateRedis,
  until,
} from "./infra.mjs";
import { act, alert, canary, declare, followIncidents, openSleepers, remediate } from "./load.mjs";
import { COMMANDS, PROFILES, USERS, firebreakYaml } from "./plan.mjs";
import { readRecords, verdict } from "./truth.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]) => (lo + Math.random() * (hi - lo)) * 1000;

/**
 * Runs the harness with a profile (`full` or `ci`, see plan.mjs) and resolves with the
 * report: `invariants` (each `{ name, value, ok, detail }`), `figures` and `lines` (the
 * printed report). `log` receives progress lines.
 */
export async function runChaos({ profile: name = "full", log = () => undefined, keepLogs = false } = {}) {
  const profile = PROFILES[name];
  if (!profile) throw new Error(`unknown profile ${name}: use ${Object.keys(PROFILES).join(" or ")}`);
  const { createSlackRequestSender, startSlackEmulator } = await import(
    path.join(root, "dist/emulator/slack/index.js")
  ).catch(() => {
    throw new Error("dist/ is missing: run `npm run build` first");
  });
  const dir = mkdtempSync(path.join(tmpdir(), "firebreak-chaos-"));
  const cleanup = [];
  const world = {
    profile,
    tag: randomBytes(3).toString("hex"),
    requests: [],
    canaries: [],
    declarations: [],
    remediations: [],
    sleepers: [],
    alerts: new Map(),
    incidents: new Map(),
    faults: [],
    alertPostFailures: 0,
    stopping: false,
    finished: false,
  };
  try {
    log(`chaos (${name}): setting up in ${dir}`);
    const postgres = await startPrivatePostgres(dir);
    cleanup.push(() => postgres.stop());
    const redis = await startPrivateRedis();
    cleanup.push(() => redis.stop());
    const targetRedis = await startPrivateRedis();
    cleanup.push(() => targetRedis.stop());
    world.targetRedisUrl = targetRedis.url;
    const emulator = await startSlackEmulator({ users: USERS, enforceRateLimits: true });
    cleanup.push(() => emulator.close());
    world.emulator = emulator;

    const commandsDir = path.join(dir, "commands");
    mkdirSync(commandsDir);
    for (const c of COMMANDS)
      copyFileSync(path.join(root, "commands", `${c}.yaml`), path.join(commandsDir, `${c}.yaml`));
    const configPath = path.join(dir, "firebreak.yaml");
    writeFileSync(
      configPath,
      firebreakYaml({
        stepSeconds: profile.stepSeconds,
        mysqlUrl: "mysql://root@127.0.0.1:3306/",
        redisUrl: targetRedis.url,
      }),
    );
    const signingSecret = randomBytes(16).toString("hex");
    const alertmanagerToken = randomBytes(16).toString("hex");
    const databaseUrl = `${postgres.url}/firebreak`;
    const env = {
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: emulator.apiUrl,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      FIREBREAK_REDIS_PREFIX: `chaos-${world.tag}`,
      FIREBREAK_CONFIG: configPath,
      FIREBREAK_COMMANDS_DIR: commandsDir,
      ALERTMANAGER_TOKEN: alertmanagerToken,
      // info: start-up and "shutting down" lines show when a replica stopped and why.
      LOG_LEVEL: "info",
    };
    const migrated = await firebreakCli(["migrate"], env);
    if (migrated.code !== 0) throw new Error(`firebreak migrate failed: ${migrated.output}`);

    const replicas = [];
    for (let i = 1; i <= profile.webs; i++)
      replicas.push(new Replica({ name: `web${i}`, role: "web", port: await freePort(), env, dir }));
    for (let i = 1; i <= profile.workers; i++)
      replicas.push(new Replica({ name: `worker${i}`, role: "worker", port: await freePort(), env, dir }));
    cleanup.push(() => Promise.all(replicas.map((r) => r.stop())));
    for (const r of replicas) r.start();
    await Promise.all(replicas.map((r) => r.waitReady()));
    const haproxy = await startHaproxy(
      dir,
      replicas.filter((r) => r.role === "web"),
    );
    cleanup.push(() => haproxy.stop());
    await until(async () => (await fetch(`${haproxy.url}/readyz`)).ok, "a web replica behind HAProxy");
    const alertmanager = await startAlertmanager(dir, {
      webhookUrl: `${haproxy.url}/alerts/alertmanager`,
      token: alertmanagerToken,
      groupInterval: profile.alertGroupInterval,
    });
    cleanup.push(() => alertmanager.stop());
    world.alertmanagerUrl = alertmanager.url;
    world.sender = createSlackRequestSender({
      targetUrl: `${haproxy.url}/slack/events`,
      signingSecret,
      emulator,
    });
    world.pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    world.pool.on("error", () => undefined);
    cleanup.push(() => world.pool.end());
    await openSleepers(world, Math.ceil(profile.remediations / 2));
    cleanup.push(() => Promise.all(world.sleepers.map((s) => s.conn.destroy())));

    // The canary's incident, declared before the clock starts.
    const following = followIncidents(world);
    await world.sender.slashCommand({
      command: "/incident",
      text: `declare P3 Chaos canary ${world.tag}`,
      userId: "U0ALICE",
      channelId: "C0INCIDENTS",
    });
    await until(
      () => [...world.incidents.values()].find((i) => i.title.includes("canary")),
      "the canary incident",
      60_000,
    );
    world.canaryIncident = [...world.incidents.values()].find((i) => i.title.includes("canary")).id;

    log(
      `load for ${profile.loadSeconds}s: ${profile.webs} web + ${profile.workers} worker replicas, ${profile.alertGroups} alert groups, ${profile.declarations} declarations (${profile.escalations} escalating), ${profile.actions} clicks and commands, ${profile.remediations} remediations`,
    );
    world.t0 = Date.now();
    const loadEnd = world.t0 + profile.loadSeconds * 1000;
    const drainEnd = loadEnd + profile.drainSeconds * 1000;
    const canaries = canary(world, () => drainEnd);
    const faults = injectFaults(world, { replicas, postgres, redis, emulator, log, loadEnd });
    const load = Promise.all([declare(world), act(world), remediate(world), alert(world)]);
    await Promise.race([load, sleep(profile.loadSeconds * 1000 + 120_000)]);
    world.stopping = true;
    await faults;
    log(
      `load done after ${((Date.now() - world.t0) / 1000).toFixed(0)}s; waiting (at most ${profile.drainSeconds}s) for the backlog`,
    );
    await drain(world, drainEnd);
    world.finishedAt = Date.now();
    world.finished = true;
    await Promise.all([canaries, following, world.alertRefresher]);

    const rec = await readRecords(world.pool);
    const audit = await firebreakCli(["audit", "verify"], env);
    const result = await verdict(world, rec, { audit, answeredBy: () => haproxy.answeredBy(), replicas });
    if (keepLogs) {
      const dump = { requests: world.requests, faults: world.faults, canaries: world.canaries, t0: world.t0 };
      writeFileSync(path.join(dir, "run.json"), JSON.stringify(dump));
    }
    const figures = await collectFigures(world, rec, result, { alertmanager, replicas });
    const lines = report(world, result, figures, name);
    return { invariants: result.invariants, figures, lines, dir };
  } finally {
    world.stopping = true;
    world.finished = true;
    for (const step of cleanup.reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    if (!keepLogs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The faults: a random replica killed with SIGKILL every 10–20 s and restarted a few seconds
 * later; one Postgres restart, one Redis restart, one Slack outage, at set points of the load.
 */
async function injectFaults(world, { replicas, postgres, redis, emulator, log, loadEnd }) {
  const p = world.profile;
  const L = p.loadSeconds * 1000;
  const once = [
    {
      at: world.t0 + p.postgresRestartAt * L,
      type: "postgres restart",
      run: () => postgres.restart(),
    },
    {
      at: world.t0 + p.redisRestartAt * L,
      type: "redis restart",
      run: () => redis.restart(2_000),
    },
    {
      at: world.t0 + p.slackOutageAt * L,
      type: `slack outage ${p.slackOutageSeconds}s`,
      run: async () => {
        emulator.startOutage(503);
        await sleep(p.slackOutageSeconds * 1000);
        emulator.endOutage();
      },
    },
  ];
  const scheduled = once.map(async (f) => {
    await sleep(Math.max(0, f.at - Date.now()));
    const fault = { type: f.type, start: Date.now() };
    world.faults.push(fault);
    log(`fault: ${f.type}`);
    await f.run();
    fault.end = Date.now();
  });
  const restarts = [];
  let next = world.t0 + between(p.killEverySeconds);
  while (next < loadEnd) {
    await sleep(Math.max(0, next - Date.now()));
    const victim = replicas.filter((r) => r.running)[
      Math.floor(Math.random() * replicas.filter((r) => r.running).length)
    ];
    if (victim) {
      const fault = { type: `kill -9 ${victim.name}`, start: Date.now() };
      world.faults.push(fault);
      log(`fault: kill -9 ${victim.name}`);
      await victim.kill9();
      restarts.push(
        (async () => {
          await sleep(between(p.restartAfterSeconds));
          victim.start();
          fault.end = Date.now();
          await victim.waitReady(120_000).catch(() => undefined);
          fault.ready = Date.now();
        })(),
      );
    }
    next += between(p.killEverySeconds);
  }
  await Promise.all([...scheduled, ...restarts]);
}

/** Waits until everything sent has its effect, or the deadline: what is missing then is lost. */
async function drain(world, deadline) {
  const p = world.profile;
  const lastPageDue =
    Math.max(0, ...world.declarations.filter((d) => d.escalating).map((d) => d.atMs)) +
    2 * p.stepSeconds * 1000 +
    world.t0;
  while (Date.now() < deadline) {
    await sleep(5_000);
    if (Date.now() < lastPageDue + 15_000) continue;
    try {
      const rec = await readRecords(world.pool);
      const states = new Map(rec.alertStates.map((a) => [a.id, a.status]));
      const alertsDone = [...world.alerts].every(([id, a]) => states.get(id) === a.status);
      const runsDone = rec.runs.every((r) => !["approved", "running", "previewing"].includes(r.state));
      const outboxCalm = rec.outbox[0].oldest < 30;
      if (alertsDone && runsDone && outboxCalm) return;
    } catch {
      // Postgres restarting
    }
  }
}

async function collectFigures(world, rec, result, { alertmanager, replicas }) {
  const firstFault = Math.min(...world.faults.map((f) => f.start), Infinity);
  const acked = world.requests.filter((r) => r.status === 200);
  const ms = (list) => list.map((r) => r.ms).sort((a, b) => a - b);
  const all = ms(acked);
  const calm = ms(acked.filter((r) => r.sentAt < firstFault));
  const unanswered = world.requests.filter((r) => r.status !== 200);
  const byStatus = new Map();
  for (const r of unanswered) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const lateness = [...result.lateness].sort((a, b) => a - b);
  const commitLate = rec.pages
    .map((p) => new Date(p.created_at).getTime() - new Date(p.due_at).getTime())
    .sort((a, b) => a - b);
  // Recovery: from a fault's end until the first canary sent after it came back through Slack.
  const replies = new Map();
  for (const c of world.emulator.calls)
    if (c.method === "response_url" && c.status === 200) replies.set(c.args.response_url_id, c.at.getTime());
  for (const c of world.canaries) c.replyAt = c.responseId ? replies.get(c.responseId) : undefined;
  const recovery = world.faults.map((f) => {
    const end = f.ready ?? f.end ?? f.start;
    const ok = world.canaries.find((c) => c.sentAt >= end && c.replyAt !== undefined);
    return {
      type: f.type,
      at: (f.start - world.t0) / 1000,
      downSeconds: (end - f.start) / 1000,
      recoverySeconds: ok ? (ok.replyAt - end) / 1000 : null,
    };
  });
  const callsBy = (method) => world.emulator.calls.filter((c) => c.method === method).length;
  const limited = new Map();
  for (const c of world.emulator.calls)
    if (c.status === 429) limited.set(c.method, (limited.get(c.method) ?? 0) + 1);
  const inbound = world.requests.length + 1;
  return {
    ackP50: percentile(all, 50),
    ackP99: percentile(all, 99),
    ackP99Calm: percentile(calm, 99),
    answered: acked.length,
    sent: world.requests.length,
    unanswered: Object.fromEntries(byStatus),
    pageP50: percentile(lateness, 50),
    pageP99: percentile(lateness, 99),
    pageMax: lateness.at(-1) ?? NaN,
    pageCommitP99: percentile(commitLate, 99),
    recovery,
    authTestPerRequest: callsBy("auth.test") / inbound,
    usergroupCalls: callsBy("usergroups.users.list"),
    rateLimited: Object.fromEntries(limited),
    slackCalls: world.emulator.calls.length,
    outbox: rec.outbox[0],
    outboxPending: rec.outboxPending,
    alertmanager: await alertmanager.notificationCounts().catch(() => ({ attempted: NaN, failed: NaN })),
    notifications: rec.notifications[0],
    alertPostFailures: world.alertPostFailures,
    kills: replicas.reduce((n, r) => n + r.kills, 0),
    unexpectedExits: replicas.flatMap((r) =>
      r.unexpectedExits.map(
        (e) =>
          `${r.name} at t+${((e.at - world.t0) / 1000).toFixed(0)}s (exit code ${e.code}, signal ${e.signal}, up ${((e.at - e.started) / 1000).toFixed(0)} s)`,
      ),
    ),
    remediations: {
      planned: world.remediations.length,
      requestAcked: world.remediations.filter((r) => r.requestStatus === 200).length,
      approveAcked: world.remediations.filter((r) => r.approveStatus === 200).length,
      succeeded: rec.runs.filter((r) => r.state === "succeeded").length,
      states: rec.runs.reduce((m, r) => ({ ...m, [r.state]: (m[r.state] ?? 0) + 1 }), {}),
      connectionsKilled: world.sleepers.filter((s) => s.killed).length,
    },
    canaries: {
      sent: world.canaries.length,
      completed: world.canaries.filter((c) => c.replyAt).length,
      statuses: world.canaries.reduce((m, c) => ({ ...m, [c.status]: (m[c.status] ?? 0) + 1 }), {}),
    },
  };
}

function report(world, result, f, name) {
  const s = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "n/a");
  const lines = [];
  lines.push(
    `chaos harness (${name}): ${world.profile.loadSeconds}s of load, ${world.faults.length} faults, ${f.kills} kills`,
  );
  lines.push("invariants:");
  for (const i of result.invariants)
    lines.push(`  ${i.ok ? "ok  " : "FAIL"} ${i.name}: ${i.value}${i.detail ? ` — ${i.detail}` : ""}`);
  lines.push("figures:");
  lines.push(
    `  ack latency: p50 ${s(f.ackP50)}, p99 ${s(f.ackP99)} (${f.answered} of ${f.sent} requests answered 200); baseline before the first fault p99 ${s(f.ackP99Calm)}, ratio ${(f.ackP99 / f.ackP99Calm).toFixed(2)}x`,
  );
  lines.push(
    `  replicas that stopped by themselves (not killed by the harness; restarted 2 s later): ${f.unexpectedExits.length ? f.unexpectedExits.join("; ") : "none"}`,
  );
  lines.push(`  unanswered requests by HTTP status (0: connection failed): ${JSON.stringify(f.unanswered)}`);
  lines.push(
    `  page lateness (DM accepted by Slack − due): p50 ${s(f.pageP50)}, p99 ${s(f.pageP99)}, max ${s(f.pageMax)}; page committed − due p99 ${s(f.pageCommitP99)}; goal ≤ the 30 s reconcile interval, ratio ${(f.pageP99 / 30_000).toFixed(2)}x`,
  );
  lines.push("  recovery (fault end → first canary after it answered through Slack):");
  for (const r of f.recovery)
    lines.push(
      `    t+${r.at.toFixed(0)}s ${r.type}: down ${r.downSeconds.toFixed(1)} s, recovered ${r.recoverySeconds === null ? "NOT within the run" : `${r.recoverySeconds.toFixed(1)} s`} after`,
    );
  lines.push(
    `  canaries: ${f.canaries.completed} of ${f.canaries.sent} answered through Slack (acks by status ${JSON.stringify(f.canaries.statuses)})`,
  );
  for (const r of world.remediations)
    lines.push(
      `  remediation ${r.k} ${r.command} ${r.param.key}=${r.param.value}: request ${r.requestStatus ?? r.skipped ?? "-"}, run ${r.runId ?? "-"}, approve ${r.approveStatus ?? "-"}${r.sleeper ? `, connection killed ${r.sleeper.killed}` : ""}`,
    );
  lines.push(
    `  Slack: ${f.slackCalls} calls; auth.test per inbound request ${f.authTestPerRequest.toFixed(2)}; usergroups.users.list ${f.usergroupCalls}; 429s by method ${JSON.stringify(f.rateLimited)}`,
  );
  lines.push(
    `  outbox at the end: ${f.outbox.pending} pending (oldest ${f.outbox.oldest.toFixed(0)} s; ${f.outboxPending.map((o) => `${o.n} ${o.method}`).join(", ")}), ${f.outbox.failed} failed`,
  );
  lines.push(
    `  alerts: Alertmanager sent ${f.alertmanager.attempted} notifications (${f.alertmanager.failed} failed attempts); Postgres stored ${f.notifications.stored} (${f.notifications.unprocessed} unprocessed); ${f.alertPostFailures} alerts Alertmanager refused`,
  );
  lines.push(`  remediations: ${JSON.stringify(f.remediations)}`);
  return lines;
}
