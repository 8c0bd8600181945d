import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { readEnvOptions } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { runTimerJob } from "../../src/jobs/timer-scheduler.js";
import { escalationJob } from "../../src/paging/process-escalation.js";
import { runsAlertAutomation } from "../../src/runs/auto-runs.js";
import { getEscalation, listPages } from "../../src/store/escalations/escalations.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { getRun } from "../../src/store/runs/runs.js";
import type { Run } from "../../src/store/runs/runs.js";
import { getSelfHeal } from "../../src/store/self-heals/self-heals.js";
import { listFollowUps } from "../../src/store/follow-ups/follow-ups.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { FIXTURE_TOKEN, webhookBody } from "../fixtures/alertmanager/webhooks.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import { startPrivateRedis } from "../support/private-redis.js";
import type { PrivateRedis } from "../support/private-redis.js";
import { botMessage, clickDecision } from "./run-helpers.js";

/**
 * Alerts that heal themselves first, end to end: signed Alertmanager webhooks in, the
 * Slack emulator and the database out, a real Redis as the target (a private one: these
 * tests change its maxmemory) and a controlled clock for the guardrails and page_after.
 */
const PREFIX = `fbtest-self-heal-${randomBytes(4).toString("hex")}`;
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
const MINUTE = 60_000;

let redis: PrivateRedis;
let direct: Redis;
let h: Harness;

/** A loopback port nothing listens on: the target that is down. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

/** One route per scenario (by the alert's namespace label), each on a target of its own. */
function config(redisUrl: string, downUrl: string): string {
  const scenarios = ["heal", "slow", "hourly", "twin"];
  const target = (url: string) => `{ url: "${url}", allow_config: { maxmemory: { min: 64mb, max: 4gb } } }`;
  return `${TEST_CONFIG_YAML}
escalation_policies:
  default:
    steps:
      - { notify: [{ user: U0ALICE }], ack_timeout: 15m }
severity_policies: { P0: default, P1: default, P2: default, P3: default }
alerts:
  on_all_resolved: auto_resolve
  routes:
${[...scenarios, "down"]
  .map(
    (ns) => `    - match: { alertname: RedisMemoryHigh, namespace: ${ns} }
      auto_diagnostics: [{ command: redis-info, params: { target: cache-${ns} } }]
      self_heal:
        command: redis-set-maxmemory
        params: { target: cache-${ns}, value: 2gb }
        page_after: 5m`,
  )
  .join("\n")}
    - match: { alertname: RedisMemoryHigh, namespace: alongside }
      self_heal: { command: redis-set-maxmemory, params: { target: cache-alongside, value: 2gb } }
targets:
  redis:
${[...scenarios, "alongside"].map((ns) => `    cache-${ns}: ${target(redisUrl)}`).join("\n")}
    cache-down: ${target(downUrl)}
`;
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  direct = new Redis(redis.url);
  h = await startHarness({
    configYaml: config(redis.url, `redis://127.0.0.1:${await closedPort()}`),
    clock,
    env: { ALERTMANAGER_TOKEN: FIXTURE_TOKEN, FIREBREAK_REDIS_PREFIX: PREFIX },
  });
});
afterAll(async () => {
  await h?.stop();
  direct?.disconnect();
  await redis?.stop();
  const shared = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  const keys = await shared.keys(`${PREFIX}:*`);
  if (keys.length) await shared.del(...keys);
  shared.disconnect();
});
beforeEach(async () => {
  await direct.config("SET", "maxmemory", "1gb");
});

const maxmemory = async () => ((await direct.config("GET", "maxmemory")) as string[])[1];

/** A signed Alertmanager webhook for a RedisMemoryHigh group (`instance` tells groups apart). */
async function alert(
  namespace: string,
  status: "firing" | "resolved",
  o: { instance?: string; url?: string; startsAt?: Date } = {},
) {
  const instance = o.instance ?? "a";
  const body = {
    ...webhookBody({
      alertname: "RedisMemoryHigh",
      namespace,
      alerts: [
        {
          pod: `redis-${instance}`,
          severity: "critical",
          status,
          startsAt: o.startsAt ?? new Date(Date.now() - MINUTE),
          summary: "used_memory above 90% of maxmemory",
        },
      ],
    }),
    groupKey: `{}:{alertname="RedisMemoryHigh", namespace="${namespace}", instance="${instance}"}`,
  };
  const res = await fetch(`${o.url ?? h.url}/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${FIXTURE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** The incident an alert group opened, once its channel exists. */
async function incidentOf(namespace: string, instance = "a"): Promise<Incident> {
  const key = `{}:{alertname="RedisMemoryHigh", namespace="${namespace}", instance="${instance}"}`;
  return eventually(async () => {
    const res = await h.db.pool.query<{ incident_id: string }>(
      "SELECT incident_id FROM alert_groups WHERE group_key = $1 AND incident_id IS NOT NULL",
      [key],
    );
    const id = res.rows[0]?.incident_id;
    const incident = id ? await getIncident(h.db.pool, Number(id)) : null;
    return incident?.channelId ? incident : null;
  }, `the incident of ${namespace}/${instance}`);
}

const events = async (incidentId: number, kind: string) =>
  (await listTimeline(h.db.pool, incidentId)).filter((e) => e.kind === kind);

/** The self-heal's run, once it reached one of `states`. */
async function selfHealRun(incidentId: number, states: string[]): Promise<Run> {
  return eventually(
    async () => {
      const sh = await getSelfHeal(h.db.pool, incidentId);
      const run = sh?.runId ? await getRun(h.db.pool, sh.runId) : null;
      return run && states.includes(run.state) ? run : null;
    },
    `the self-heal run of #${incidentId} in ${states.join("/")}`,
    20_000,
  );
}

const channelText = (incident: Incident) =>
  h.emulator
    .messages(incident.channelId!)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join("\n");

function posted(incident: Incident, needle: string | RegExp, what: string) {
  return eventually(
    () =>
      typeof needle === "string"
        ? channelText(incident).includes(needle)
        : needle.test(channelText(incident)),
    what,
    20_000,
  );
}

const dmsTo = (userId: string, incidentId: number) =>
  h.emulator
    .messages(h.emulator.dm(userId)?.id ?? "none")
    .filter((m) => m.text.includes(`incident #${incidentId} `));

/** The page DMs a user got for an incident, once there is one. */
const pageDms = (userId: string, incidentId: number) =>
  eventually(() => {
    const dms = dmsTo(userId, incidentId);
    return dms.length ? dms : null;
  }, `a page DM to ${userId}`);

// In order: the cooldown and hourly-limit cases build on the runs before them.
describe("an alert whose route heals it first", () => {
  it("runs the diagnostics and the pre-approved fix, and when the alert clears pages nobody, closes the incident and reports", async () => {
    await alert("heal", "firing");
    const incident = await incidentOf("heal");
    // Paging is held in the escalation's row while the fix has its chance.
    expect(await getEscalation(h.db.pool, incident.id)).toMatchObject({ status: "active", currentStep: -1 });
    const run = await selfHealRun(incident.id, ["succeeded", "failed"]);
    expect(run.state, run.outcome?.error).toBe("succeeded");
    expect(run).toMatchObject({ command: "redis-set-maxmemory", target: "cache-heal", autoApproved: true });
    expect(await maxmemory()).toBe(String(2 * 1024 ** 3));

    // The diagnostics ran (and posted) before the fix; the channel shows what changed.
    await posted(incident, "maxmemory 1gb → 2gb on cache-heal", "what the self-heal changed");
    const [diagnostic] = await events(incident.id, "run.succeeded");
    expect(diagnostic?.data).toMatchObject({ command: "redis-info" });
    const [approved] = await events(incident.id, "run.auto_approved");
    expect(approved).toMatchObject({
      actor: "policy",
      data: {
        run_id: run.id,
        command: "redis-set-maxmemory",
        approver: "policy",
        route: { index: 0, match: { alertname: "RedisMemoryHigh", namespace: "heal" } },
        guardrail: { max_per_hour: 2, runs_in_last_hour: 0, cooldown_ms: 600_000, alert_firing: true },
      },
    });
    const esc = await getEscalation(h.db.pool, incident.id);
    expect(esc?.heldUntil?.getTime()).toBeGreaterThan(clock.now().getTime() + 4 * MINUTE);

    await alert("heal", "resolved");
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
      "the incident auto-resolved",
    );
    await posted(incident, /Self-healed by `redis-set-maxmemory` in \d+ s; nobody was paged\./, "the report");
    expect(await listPages(h.db.pool, incident.id)).toEqual([]);
    expect(dmsTo("U0ALICE", incident.id)).toEqual([]);
    expect(await getEscalation(h.db.pool, incident.id)).toMatchObject({
      status: "stopped",
      stopReason: "self-healed",
    });
    const [healed] = await events(incident.id, "self_heal.healed");
    expect(healed?.data).toMatchObject({ command: "redis-set-maxmemory", paged: [] });

    // The postmortem draft, from Firebreak's own page: diagnostics, the fix and its approver, nobody paged.
    const md = await (await fetch(`${h.url}/incidents/${incident.id}/postmortem.md`)).text();
    expect(md).toContain("## Alert automation");
    expect(md).toContain("Diagnostics run on their own: redis-info (succeeded).");
    expect(md).toMatch(
      /Self-heal: redis-set-maxmemory on cache-heal, approved by the policy \(auto_approve_for_alerts: 0 of 2 runs in the last hour, cooldown 10m\); healed: the alert cleared/,
    );
    expect(md).toContain("Nobody was paged.");
    expect((await auditTimeline(h.db.pool, { incidentId: incident.id })).broken).toEqual([]);
  });

  it("a second group inside the cooldown pages at once, saying why, and offers the fix for approval", async () => {
    await alert("heal", "firing", { instance: "b" });
    const incident = await incidentOf("heal", "b");
    const offered = await selfHealRun(incident.id, ["awaiting_approval"]);
    expect(offered.autoApproved).toBe(false);
    expect(await maxmemory()).toBe("1073741824");
    const [declined] = await events(incident.id, "run.auto_approval_declined");
    expect(declined?.data).toMatchObject({
      reason: expect.stringMatching(/^cooldown: it ran on this target \d+s ago, within its cooldown of 10m$/),
      guardrail: { runs_in_last_hour: 1, max_per_hour: 2 },
    });
    const [notRun] = await events(incident.id, "self_heal.not_run");
    expect(notRun?.data).toMatchObject({ offered_for_approval: offered.id });

    // Paged at once, and the page says why.
    const [dm] = await pageDms("U0ALICE", incident.id);
    expect(JSON.stringify(dm!.blocks)).toContain(
      "a guardrail refused the self-heal redis-set-maxmemory (cooldown",
    );
    await posted(incident, "Paging starts now", "why paging started");

    // The person paged runs it with one click on the approval request.
    const request = await botMessage(h, incident.channelId!, "Approval needed", "the approval request");
    expect(JSON.stringify(request.blocks)).toContain("maxmemory 1gb → 2gb on cache-heal");
    expect(JSON.stringify(request.blocks)).toContain(
      "This alert's self-heal did not run on its own: cooldown:",
    );
    await clickDecision(h, offered, "U0ALICE", "approve");
    const done = await eventually(
      async () => ((await getRun(h.db.pool, offered.id))?.state === "succeeded" ? true : null),
      "the approved fix ran",
    );
    expect(done).toBe(true);
    expect(await maxmemory()).toBe(String(2 * 1024 ** 3));
  });

  it("a fix that fails (its target is down) is posted, pages at once and adds a follow-up", async () => {
    await alert("down", "firing");
    const incident = await incidentOf("down");
    const failed = await selfHealRun(incident.id, ["failed"]);
    expect(failed.outcome?.error).toMatch(/cache-down/);
    await posted(incident, "Self-heal `redis-set-maxmemory` on `cache-down` failed", "the failure, posted");
    await eventually(async () => (await listPages(h.db.pool, incident.id)).length === 1, "paged at once");
    const [released] = await events(incident.id, "escalation.hold_released");
    expect(released?.data).toMatchObject({
      reason: expect.stringMatching(/^the self-heal redis-set-maxmemory failed: /),
    });
    // The follow-up: one of the incident's, with its Mark done button in the channel.
    const [followUp] = await events(incident.id, "followup.added");
    expect(followUp).toMatchObject({
      actor: "alertmanager",
      data: { number: 1, via: "alert", source: "self_heal", run_id: failed.id },
    });
    const [stored] = await listFollowUps(h.db.pool, incident.id);
    expect(stored).toMatchObject({ number: 1, createdBy: "alertmanager", doneAt: null });
    expect(stored!.text).toMatch(
      /^The self-heal redis-set-maxmemory on cache-down failed \(Redis cache-down refused/,
    );
    await posted(incident, `"value":"${incident.id}:1:done"`, "the follow-up with its Mark done button");
    const md = await (await fetch(`${h.url}/incidents/${incident.id}/postmortem.md`)).text();
    expect(md).toContain("- [ ] 1. The self-heal redis-set-maxmemory on cache-down failed");
    expect(md).toMatch(/Self-heal: redis-set-maxmemory on cache-down, approved by the policy .*; failed: /);
    expect(md).toMatch(/Paged: (U0ALICE|Alice Archer)\./);
  });

  it("an alert still firing page_after after the fix pages then, saying so", async () => {
    await alert("slow", "firing");
    const incident = await incidentOf("slow");
    const run = await selfHealRun(incident.id, ["succeeded", "failed"]);
    expect(run.state).toBe("succeeded");
    const held = await eventually(async () => {
      const e = await getEscalation(h.db.pool, incident.id);
      return (await events(incident.id, "self_heal.succeeded")).length && e?.heldUntil ? e : null;
    }, "the hold moved to page_after after the fix");
    expect(held.heldUntil!.getTime() - run.finishedAt!.getTime()).toBeGreaterThanOrEqual(5 * MINUTE - 1_000);

    // A timer that fires early pages nobody.
    expect(
      await runTimerJob(h.runtime.paging, escalationJob(held, held.heldUntil!), clock.now()),
    ).toMatchObject({
      type: "escalation",
    });
    expect(await listPages(h.db.pool, incident.id)).toEqual([]);

    // page_after passes with the alert still firing: the timer that re-checks pages.
    clock.offsetMs += held.heldUntil!.getTime() - clock.now().getTime() + 1_000;
    await runTimerJob(h.runtime.paging, escalationJob(held, held.heldUntil!), clock.now());
    expect((await listPages(h.db.pool, incident.id)).map((p) => p.userId)).toEqual(["U0ALICE"]);
    const [expired] = await events(incident.id, "escalation.hold_expired");
    expect(expired?.data).toMatchObject({
      reason: "the alert still fires 5m after the self-heal redis-set-maxmemory succeeded",
    });
    const [dm] = await pageDms("U0ALICE", incident.id);
    expect(JSON.stringify(dm!.blocks)).toContain(
      "Paged because the alert still fires 5m after the self-heal",
    );
  });

  it("stops running the fix on its own once the hourly limit is reached", async () => {
    for (const instance of ["h1", "h2"]) {
      await alert("hourly", "firing", { instance });
      const incident = await incidentOf("hourly", instance);
      expect((await selfHealRun(incident.id, ["succeeded"])).autoApproved).toBe(true);
      await alert("hourly", "resolved", { instance });
      await eventually(
        async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
        "resolved",
      );
      clock.offsetMs += 11 * MINUTE; // past the cooldown, within the hour
    }
    await alert("hourly", "firing", { instance: "h3" });
    const third = await incidentOf("hourly", "h3");
    const offered = await selfHealRun(third.id, ["awaiting_approval"]);
    expect(offered.autoApproval).toMatchObject({
      approved: false,
      reason: "hourly limit: it already ran 2 times on this target in the last hour (max_per_hour 2)",
      figures: { runsInLastHour: 2, maxPerHour: 2 },
    });
    await eventually(async () => (await listPages(h.db.pool, third.id)).length === 1, "paged at once");
    await posted(third, "offered for approval", "the offer in the channel");
  });
});

describe("an alert that fires again after its self-heal", () => {
  it("reopens its incident and pages a person at once; the fix is not retried, and the timeline says why", async () => {
    const incident = await incidentOf("heal");
    expect(incident.state).toBe("resolved");
    const before = (await events(incident.id, "run.requested")).length;
    await alert("heal", "firing", { startsAt: new Date(Date.now() + MINUTE) });
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "declared",
      "reopened",
    );
    await eventually(async () => (await listPages(h.db.pool, incident.id)).length === 1, "paged at once");
    const [notRun] = await events(incident.id, "self_heal.not_run");
    expect(notRun?.data).toMatchObject({
      command: "redis-set-maxmemory",
      reason: expect.stringMatching(/reopened the incident: a recurrence goes to a person/),
    });
    expect((await events(incident.id, "run.requested")).length).toBe(before);
  });
});

describe("a route without page_after", () => {
  it("pages at once, as without a self-heal, while the fix runs alongside", async () => {
    await alert("alongside", "firing");
    const incident = await incidentOf("alongside");
    await eventually(async () => (await listPages(h.db.pool, incident.id)).length === 1, "paged at once");
    const [held] = await events(incident.id, "escalation.held");
    expect(held).toBeUndefined();
    const run = await selfHealRun(incident.id, ["succeeded", "failed"]);
    expect(run).toMatchObject({ state: "succeeded", autoApproved: true });
    expect(await maxmemory()).toBe(String(2 * 1024 ** 3));
    await posted(incident, "Paging was not held", "the fix's start, with paging as usual");
    await alert("alongside", "resolved");
    await posted(
      incident,
      /The alert cleared after the self-heal by `redis-set-maxmemory` \(\d+ s\); paged: <@U0ALICE>\./,
      "the report",
    );
  });
});

describe("two replicas receiving the same alert", () => {
  let second: Runtime;
  let secondUrl: string;
  beforeAll(async () => {
    const env = readEnvOptions({
      SLACK_BOT_TOKEN: h.emulator.botToken,
      SLACK_SIGNING_SECRET: h.signingSecret,
      SLACK_API_URL: h.emulator.apiUrl,
      DATABASE_URL: h.db.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      ALERTMANAGER_TOKEN: FIXTURE_TOKEN,
      FIREBREAK_REDIS_PREFIX: PREFIX,
    });
    second = await createRuntime({
      env,
      config: h.config,
      logger: createLogger("silent"),
      role: "both",
      clock,
    });
    secondUrl = `http://127.0.0.1:${(await second.start()).port}`;
  });
  afterAll(async () => {
    await second?.stop();
  });

  it("run the fix once", async () => {
    // Alertmanager's HA peers each deliver the same notification, one to each replica, at once.
    const startsAt = new Date(Date.now() - MINUTE);
    await Promise.all([
      alert("twin", "firing", { startsAt }),
      alert("twin", "firing", { startsAt, url: secondUrl }),
    ]);
    const incident = await incidentOf("twin");
    const run = await selfHealRun(incident.id, ["succeeded", "failed"]);
    expect(run.state).toBe("succeeded");
    // Whoever else tries to start it (the other replica, a sweep) finds it started.
    await Promise.all([
      runsAlertAutomation(h.runtime.runs).runSelfHeal(incident.id),
      runsAlertAutomation(second.runs).runSelfHeal(incident.id),
    ]);
    const runs = await h.db.pool.query(
      "SELECT id FROM runs WHERE command = 'redis-set-maxmemory' AND target = 'cache-twin'",
    );
    expect(runs.rowCount).toBe(1);
    expect(await events(incident.id, "run.auto_approved")).toHaveLength(1);
    expect(await events(incident.id, "self_heal.planned")).toHaveLength(1);
    const incidents = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM alert_groups WHERE group_key LIKE '%namespace=\"twin\"%'",
    );
    expect(incidents.rows[0].n).toBe(1);
  });
});
