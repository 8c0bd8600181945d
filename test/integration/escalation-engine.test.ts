import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import { INCIDENT_USAGE, parseIncidentCommand } from "../../src/core/incident/parse-command.js";
import { whoIsOnCall } from "../../src/core/oncall/who-is-on-call.js";
import type { Role } from "../../src/core/incident/roles.js";
import type { Severity } from "../../src/core/incident/severity.js";
import { applyIncidentChange } from "../../src/incidents/apply-incident-command.js";
import { declareIncident } from "../../src/incidents/declare-incident.js";
import type { IncidentDeps } from "../../src/incidents/deps.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import type { PagingContext } from "../../src/paging/context.js";
import { getEscalation, listPages } from "../../src/store/escalations/escalations.js";
import { answerPages, claimAckCode, findPageByCode } from "../../src/store/escalations/page-acks.js";
import { incidentPaging } from "../../src/paging/incident-paging.js";
import { PAGE_DM_KIND } from "../../src/slack/notifiers/page-notifier.js";
import { pageOutboxHandlers } from "../../src/slack/outbox/page-handlers.js";
import { pagingChangeListener } from "../../src/paging/paging-change-listener.js";
import { pagingPorts } from "../support/wiring.js";
import { lockCall } from "../../src/store/outbox/outbox-calls.js";
import { withTransaction } from "../../src/store/pool.js";
import { processEscalation } from "../../src/paging/process-escalation.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";

const MIN = 60_000;
const T0 = new Date("2026-11-23T10:00:00Z");

const CONFIG_YAML = `
timezone: UTC
roles:
  admin: { users: [U0ADMIN] }
schedules:
  primary:
    time_zone: UTC
    layers:
      - { name: weekly, users: [U0ALICE, U0BOB], shift: weekly, handoff: "09:00", start: "2026-01-05" }
  empty:
    time_zone: UTC
    layers:
      - { name: later, users: [U0ERIN], shift: daily, handoff: "09:00", start: "2030-01-01" }
escalation_policies:
  runbook:
    repeat: 1
    steps:
      - { notify: [{ schedule: primary }], ack_timeout: 15m }
      - { notify: [{ user: U0CAROL }], ack_timeout: 30m }
      - { notify: [{ user: U0DAVE }], ack_timeout: 1h }
  gap:
    steps:
      - { notify: [{ schedule: empty }], ack_timeout: 15m }
      - { notify: [{ user: U0CAROL }, { user: U0DAVE }], ack_timeout: 30m }
severity_policies: { P0: runbook, P1: runbook, P2: gap }
`;

let db: TestDatabase;
let config: FirebreakConfig;
let firstLine: string;
const clock = {
  t: T0,
  now() {
    return this.t;
  },
};

function contextFor(overrides: Partial<PagingContext> = {}): PagingContext {
  return {
    pool: db.pool,
    clock,
    config,
    log: createLogger("silent"),
    settings: DEFAULT_PAGING_SETTINGS,
    ...pagingPorts(),
    ...overrides,
  };
}

function incidentDeps(ctx: PagingContext): IncidentDeps {
  return {
    pool: db.pool,
    clock,
    config,
    log: ctx.log,
    roles: { rolesOf: async () => new Set<Role>(["admin"]) },
    notifier: ctx.notifier,
    changeListeners: [pagingChangeListener(ctx)],
    paging: incidentPaging(ctx),
  };
}

async function declare(severity: Severity, ctx = contextFor()): Promise<number> {
  clock.t = T0;
  const out = await declareIncident(incidentDeps(ctx), {
    title: "Checkout down",
    severity,
    actor: "U0ADMIN",
    via: "slash",
  });
  return out.incident!.id;
}

const at = (ms: number) => new Date(T0.getTime() + ms);
const paged = async (id: number) =>
  (await listPages(db.pool, id)).map((p) => `${p.step}.${p.repeat}:${p.userId}`);
const kinds = async (id: number) => (await listTimeline(db.pool, id)).map((e) => e.kind);
async function dms(id: number): Promise<{ channel: string; blocks: unknown }[]> {
  const res = await db.pool.query(
    "SELECT args FROM slack_outbox WHERE incident_id = $1 AND method = 'chat.postMessage' AND channel_key LIKE 'dm:%' ORDER BY id",
    [id],
  );
  return res.rows.map((r: { args: { channel: string; blocks: unknown } }) => r.args);
}

beforeAll(async () => {
  db = await createTestDatabase();
  config = parseFirebreakConfig(CONFIG_YAML);
  firstLine = whoIsOnCall(config.paging.schedules.primary!, T0).users[0]!;
});
afterAll(async () => {
  await db?.drop();
});

describe("escalating an unacknowledged incident", () => {
  it("pages the first line at once with a DM carrying an Acknowledge button, then waits out the ack timeout", async () => {
    const id = await declare("P1");
    expect((await getEscalation(db.pool, id))?.status).toBe("active");
    const first = await processEscalation(contextFor(), id, T0);
    expect(first).toMatchObject({ kind: "paged", step: 0, repeat: 0, userIds: [firstLine] });
    const [dm] = await dms(id);
    expect(dm?.channel).toBe(firstLine);
    const buttons = (dm?.blocks as { elements?: { action_id?: string; value?: string }[] }[]).flatMap(
      (b) => b.elements ?? [],
    );
    expect(buttons).toContainEqual(expect.objectContaining({ action_id: "incident.ack", value: String(id) }));
    expect(await processEscalation(contextFor(), id, at(14 * MIN))).toMatchObject({ kind: "wait" });
    expect(await paged(id)).toEqual([`0.0:${firstLine}`]);
  });

  it("climbs every step, repeats the path as often as the policy says, then gives up and says so", async () => {
    const id = await declare("P1");
    const times = [0, 15, 45, 105, 120, 150, 210].map((m) => m * MIN);
    const outcomes = [];
    for (const t of times) outcomes.push((await processEscalation(contextFor(), id, at(t))).kind);
    expect(outcomes).toEqual(["paged", "paged", "paged", "paged", "paged", "paged", "exhausted"]);
    expect(await paged(id)).toEqual([
      `0.0:${firstLine}`,
      "1.0:U0CAROL",
      "2.0:U0DAVE",
      `0.1:${firstLine}`,
      "1.1:U0CAROL",
      "2.1:U0DAVE",
    ]);
    expect(await processEscalation(contextFor(), id, at(999 * MIN))).toEqual({ kind: "inactive" });
    expect((await kinds(id)).filter((k) => k === "escalation.exhausted")).toHaveLength(1);
    expect((await dms(id)).length).toBe(6);
  });

  for (const step of [0, 1, 2]) {
    it(`stops at once when acknowledged during step ${step + 1}: nothing is paged after the ack`, async () => {
      const ctx = contextFor();
      const id = await declare("P0", ctx);
      const stepTimes = [0, 15 * MIN, 45 * MIN];
      for (const t of stepTimes.slice(0, step + 1)) await processEscalation(ctx, id, at(t));
      clock.t = at(stepTimes[step]! + MIN);
      const ack = await applyIncidentChange(incidentDeps(ctx), id, "U0CAROL", { type: "ack" }, "button");
      expect(ack.status).toBe("changed");
      expect(await getEscalation(db.pool, id)).toMatchObject({
        status: "stopped",
        stopReason: "acknowledged",
      });
      for (const t of [2 * MIN, 20 * MIN, 50 * MIN, 3 * 60 * MIN, 10 * 60 * MIN])
        expect((await processEscalation(ctx, id, at(stepTimes[step]! + t))).kind).toBe("inactive");
      expect(await paged(id)).toHaveLength(step + 1);
      expect(await kinds(id)).toContain("escalation.stopped");
    });
  }

  it("stops when resolved without an ack", async () => {
    const ctx = contextFor();
    const id = await declare("P1", ctx);
    await processEscalation(ctx, id, T0);
    clock.t = at(MIN);
    await applyIncidentChange(incidentDeps(ctx), id, "U0ADMIN", { type: "resolve" }, "slash");
    expect((await processEscalation(ctx, id, at(60 * MIN))).kind).toBe("inactive");
    expect(await paged(id)).toHaveLength(1);
  });

  it("passes over a step whose schedule has nobody on call at once, and records why", async () => {
    const id = await declare("P2");
    const out = await processEscalation(contextFor(), id, T0);
    expect(out).toMatchObject({ kind: "paged", step: 1, userIds: ["U0CAROL", "U0DAVE"] });
    const empty = (await listTimeline(db.pool, id)).find((e) => e.kind === "escalation.empty_step");
    expect(empty?.data).toMatchObject({
      step: 0,
      reason: 'nobody is on call in schedule "primary"'.replace("primary", "empty"),
    });
  });

  it("records once that no policy applies (no severity policy, no default) and pages nobody", async () => {
    const id = await declare("P3");
    expect(await getEscalation(db.pool, id)).toMatchObject({ status: "none" });
    expect(await processEscalation(contextFor(), id, at(60 * MIN))).toEqual({ kind: "inactive" });
    expect((await kinds(id)).filter((k) => k === "escalation.none")).toHaveLength(1);
  });
});

describe("choosing the policy", () => {
  it("uses the policy alert routing chose, recorded with the declaration, over the severity's", async () => {
    clock.t = T0;
    const ctx = contextFor();
    const out = await declareIncident(incidentDeps(ctx), {
      title: "MySQL replication lag",
      severity: "P1",
      actor: "alertmanager",
      via: "alert",
      escalationPolicy: "gap",
      data: { escalationPolicy: "gap" },
    });
    expect(await getEscalation(db.pool, out.incident!.id)).toMatchObject({
      policyName: "gap",
      status: "active",
    });
  });
});

describe("exactly once per incident, step, repeat and person", () => {
  it("two workers racing on the same due timer page once", async () => {
    const id = await declare("P1");
    const ctxA = contextFor();
    const ctxB = contextFor();
    const results = await Promise.all([
      processEscalation(ctxA, id, T0),
      processEscalation(ctxB, id, T0),
      processEscalation(ctxA, id, at(1)),
      processEscalation(ctxB, id, at(2)),
    ]);
    expect(results.filter((r) => r.kind === "paged")).toHaveLength(1);
    expect(await paged(id)).toEqual([`0.0:${firstLine}`]);
    expect(await dms(id)).toHaveLength(1);
  });

  it("a worker killed between choosing and sending leaves nothing behind, and the retry pages once", async () => {
    const id = await declare("P1");
    let kills = 1;
    const dying = contextFor({
      beforeCommit: async () => {
        if (kills-- > 0) throw new Error("worker killed");
      },
    });
    await expect(processEscalation(dying, id, T0)).rejects.toThrow("worker killed");
    expect(await paged(id)).toEqual([]);
    expect(await dms(id)).toEqual([]);
    expect((await kinds(id)).filter((k) => k.startsWith("page."))).toEqual([]);
    expect((await processEscalation(dying, id, at(1_000))).kind).toBe("paged");
    expect((await processEscalation(dying, id, at(2_000))).kind).toBe("wait");
    expect(await paged(id)).toEqual([`0.0:${firstLine}`]);
    expect(await dms(id)).toHaveLength(1);
  });

  it("a retried job for a step already paged changes nothing", async () => {
    const id = await declare("P1");
    await processEscalation(contextFor(), id, T0);
    const before = await kinds(id);
    for (let i = 0; i < 3; i++) expect((await processEscalation(contextFor(), id, T0)).kind).toBe("wait");
    expect(await kinds(id)).toEqual(before);
    expect(await dms(id)).toHaveLength(1);
  });
});

describe("a page's DM still queued when the incident is acknowledged", () => {
  it("is withdrawn at send time and recorded; an ad hoc page still goes", async () => {
    // Earlier tests' DMs count as sent: pending ones to the same person would join the bundle.
    await db.pool.query("UPDATE slack_outbox SET status = 'done' WHERE status = 'pending'");
    const ctx = contextFor();
    const id = await declare("P1", ctx);
    await processEscalation(ctx, id, T0);
    clock.t = at(MIN);
    await incidentPaging(ctx).pageAdHoc(id, "U0ADMIN", { kind: "user", userId: "U0ZED" });
    await applyIncidentChange(incidentDeps(ctx), id, "U0CAROL", { type: "ack" }, "slash");
    const rows = await db.pool.query(
      "SELECT id FROM slack_outbox WHERE incident_id = $1 AND kind = 'page.dm' ORDER BY id",
      [id],
    );
    const handler = pageOutboxHandlers(clock).get(PAGE_DM_KIND)!;
    const rendered = await withTransaction(db.pool, async (tx) => {
      const out = [];
      for (const r of rows.rows as { id: string }[])
        out.push(await handler.render!((await lockCall(tx, Number(r.id)))!, tx));
      return out;
    });
    expect(rendered[0]).toBeNull();
    expect(rendered[1]).toMatchObject({ channel: "U0ZED" });
    const withdrawn = (await listTimeline(db.pool, id)).filter((e) => e.kind === "page.withdrawn");
    expect(withdrawn.map((e) => e.data)).toEqual([
      expect.objectContaining({
        user: firstLine,
        reason: "the incident was acknowledged before the DM went out",
      }),
    ]);
  });
});

describe("/incident escalate and /incident page", () => {
  it("escalate pages the next step now, and its ack window starts then", async () => {
    const ctx = contextFor();
    const id = await declare("P1", ctx);
    await processEscalation(ctx, id, T0);
    clock.t = at(2 * MIN);
    const out = await incidentPaging(ctx).escalateNow(id, "U0ADMIN");
    expect(out.status).toBe("changed");
    expect(await processEscalation(ctx, id, at(2 * MIN))).toMatchObject({ kind: "paged", step: 1 });
    expect(await processEscalation(ctx, id, at(31 * MIN))).toMatchObject({ kind: "wait" });
    expect(await processEscalation(ctx, id, at(32 * MIN))).toMatchObject({ kind: "paged", step: 2 });
    expect(await kinds(id)).toContain("escalation.escalated");
  });

  it("escalate is refused once the incident is acknowledged", async () => {
    const ctx = contextFor();
    const id = await declare("P1", ctx);
    await applyIncidentChange(incidentDeps(ctx), id, "U0ADMIN", { type: "ack" }, "slash");
    expect((await incidentPaging(ctx).escalateNow(id, "U0ADMIN")).status).toBe("refused");
  });

  it("page pages a person, or whoever is on call in a schedule, and records who asked", async () => {
    const ctx = contextFor();
    const id = await declare("P3", ctx);
    const commands = incidentPaging(ctx);
    expect((await commands.pageAdHoc(id, "U0ADMIN", { kind: "user", userId: "U0ZED" })).status).toBe(
      "changed",
    );
    expect((await commands.pageAdHoc(id, "U0ADMIN", { kind: "schedule", schedule: "primary" })).status).toBe(
      "changed",
    );
    expect((await commands.pageAdHoc(id, "U0ADMIN", { kind: "schedule", schedule: "empty" })).status).toBe(
      "refused",
    );
    expect((await commands.pageAdHoc(id, "U0ADMIN", { kind: "schedule", schedule: "nope" })).status).toBe(
      "refused",
    );
    expect(await paged(id)).toEqual(["-1.0:U0ZED", `-1.1:${firstLine}`]);
    const sent = (await listTimeline(db.pool, id)).filter((e) => e.kind === "page.sent");
    expect(sent.map((e) => e.actor)).toEqual(["U0ADMIN", "U0ADMIN"]);
  });
});

describe("/incident escalate and /incident page delivered twice by Slack (same trigger id)", () => {
  it("escalate moves one step, even when the escalation ran between the two deliveries", async () => {
    const ctx = contextFor();
    const id = await declare("P1", ctx);
    await processEscalation(ctx, id, T0);
    clock.t = at(2 * MIN);
    const commands = incidentPaging(ctx);
    expect((await commands.escalateNow(id, "U0ADMIN", "trigger-escalate")).status).toBe("changed");
    expect(await processEscalation(ctx, id, at(2 * MIN))).toMatchObject({ kind: "paged", step: 1 });
    expect((await commands.escalateNow(id, "U0ADMIN", "trigger-escalate")).status).toBe("unchanged");
    expect(await processEscalation(ctx, id, at(2 * MIN))).toMatchObject({ kind: "wait" });
    expect((await kinds(id)).filter((k) => k === "escalation.escalated")).toHaveLength(1);
  });

  it("page pages once", async () => {
    const ctx = contextFor();
    const id = await declare("P3", ctx);
    const commands = incidentPaging(ctx);
    const target = { kind: "user", userId: "U0ZED" } as const;
    expect((await commands.pageAdHoc(id, "U0ADMIN", target, "trigger-page")).status).toBe("changed");
    expect((await commands.pageAdHoc(id, "U0ADMIN", target, "trigger-page")).status).toBe("unchanged");
    expect(await paged(id)).toEqual(["-1.0:U0ZED"]);
  });
});

describe("reading /incident escalate and /incident page", () => {
  it("reads escalate, a mentioned person and a schedule name, and explains anything else", () => {
    expect(parseIncidentCommand("escalate")).toEqual({ type: "escalate" });
    expect(parseIncidentCommand("escalate #12")).toEqual({ type: "escalate", ref: 12 });
    expect(parseIncidentCommand("page <@U0DAVE|dave>")).toEqual({
      type: "page",
      target: { kind: "user", userId: "U0DAVE" },
    });
    expect(parseIncidentCommand("#4 page Primary")).toEqual({
      type: "page",
      ref: 4,
      target: { kind: "schedule", schedule: "primary" },
    });
    expect(() => parseIncidentCommand("page @dave and bob")).toThrow(/\/incident page @user/);
    expect(() => parseIncidentCommand("escalate now")).toThrow(/takes no arguments/);
    expect(INCIDENT_USAGE).toContain("/incident escalate");
  });
});

describe("reopening an incident", () => {
  it("escalates again from the first step in a new run", async () => {
    const ctx = contextFor();
    const id = await declare("P1", ctx);
    await processEscalation(ctx, id, T0);
    clock.t = at(MIN);
    await applyIncidentChange(incidentDeps(ctx), id, "U0ADMIN", { type: "resolve" }, "slash");
    clock.t = at(2 * MIN);
    await applyIncidentChange(incidentDeps(ctx), id, "U0ADMIN", { type: "reopen" }, "slash");
    expect(await getEscalation(db.pool, id)).toMatchObject({ status: "active", run: 2 });
    expect(await processEscalation(ctx, id, at(2 * MIN))).toMatchObject({ kind: "paged", step: 0 });
    expect(await paged(id)).toEqual([`0.0:${firstLine}`, `0.0:${firstLine}`]);
  });
});

describe("ack codes for many pages to one person at once", () => {
  it("gives every open page its own code, with no page waiting on another, and frees a code once answered", async () => {
    const ctx = contextFor();
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) ids.push(await declare("P1", ctx));
    // Pages made concurrently, as worker replicas do in a storm.
    const outcomes = await Promise.all(ids.map((id) => processEscalation(ctx, id, T0)));
    expect(outcomes.every((o) => o.kind === "paged")).toBe(true);
    const codes = await db.pool.query<{ incident_id: string; ack_code: string }>(
      "SELECT incident_id, ack_code FROM pages WHERE incident_id = ANY($1::bigint[]) AND user_id = $2",
      [ids, firstLine],
    );
    expect(codes.rows).toHaveLength(60);
    expect(new Set(codes.rows.map((r) => r.ack_code)).size).toBe(60);
    for (const r of codes.rows) expect(r.ack_code).toMatch(/^[1-9]\d{3}$/);
    // Each code leads to its own page.
    const [first] = codes.rows;
    const found = await findPageByCode(db.pool, { userIds: [firstLine], code: first!.ack_code, now: T0 });
    expect(found?.incidentId).toBe(Number(first!.incident_id));
    // An open page's code is not handed out again; once answered it is.
    const probe = {
      userId: firstLine,
      codes: [first!.ack_code],
      nonce: "n",
      expiresAt: at(60 * MIN),
      now: T0,
    };
    const other = (await listPages(db.pool, ids[1]!)).find((p) => p.userId === firstLine)!;
    expect(await claimAckCode(db.pool, { ...probe, pageId: other.id })).toBeNull();
    await answerPages(db.pool, [found!.pageId], { via: "sms", now: T0 });
    expect(await claimAckCode(db.pool, { ...probe, pageId: other.id })).toBe(first!.ack_code);
    expect(
      (await findPageByCode(db.pool, { userIds: [firstLine], code: first!.ack_code, now: T0 }))?.pageId,
    ).toBe(other.id);
  });
});
