import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import type { Role } from "../../src/core/incident/roles.js";
import type { Severity } from "../../src/core/incident/severity.js";
import { applyIncidentChange } from "../../src/incidents/apply-incident-command.js";
import type { IncidentChangeRequest } from "../../src/incidents/apply-incident-command.js";
import { declareIncident } from "../../src/incidents/declare-incident.js";
import type { IncidentDeps } from "../../src/incidents/deps.js";
import { dueTimerJobs } from "../../src/jobs/due-timers.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import type { PagingContext } from "../../src/paging/context.js";
import { processTimer } from "../../src/paging/incident-timers.js";
import { pagingChangeListener } from "../../src/paging/paging-change-listener.js";
import { createIncidentNotifier, pagingPorts } from "../support/wiring.js";
import { updateIncident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date("2026-11-23T10:00:00Z");

let db: TestDatabase;
let config: FirebreakConfig;
const clock = {
  t: T0,
  now() {
    return this.t;
  },
};
const at = (ms: number) => new Date(T0.getTime() + ms);

function context(): PagingContext {
  return {
    pool: db.pool,
    clock,
    config,
    log: createLogger("silent"),
    settings: { ...DEFAULT_PAGING_SETTINGS, postmortemReminderMs: 3 * 24 * HOUR },
    ...pagingPorts(),
  };
}

function deps(): IncidentDeps {
  return {
    pool: db.pool,
    clock,
    config,
    log: createLogger("silent"),
    roles: { rolesOf: async () => new Set<Role>(["admin"]) },
    notifier: createIncidentNotifier(),
    changeListeners: [pagingChangeListener(context())],
  };
}

async function declare(severity: Severity): Promise<number> {
  clock.t = T0;
  const out = await declareIncident(deps(), { title: "API errors", severity, actor: "U0CMDR", via: "slash" });
  const id = out.incident!.id;
  await updateIncident(db.pool, id, { channelId: `C0INC${id}` });
  return id;
}

async function change(id: number, when: number, request: IncidentChangeRequest) {
  clock.t = at(when);
  expect((await applyIncidentChange(deps(), id, "U0CMDR", request, "slash")).status).toBe("changed");
}

async function timerOf(id: number, kind: string): Promise<number> {
  const res = await db.pool.query(
    "SELECT id FROM incident_timers WHERE incident_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
    [id, kind],
  );
  return Number(res.rows[0].id);
}

const count = async (id: number, kind: string) =>
  (await listTimeline(db.pool, id)).filter((e) => e.kind === kind).length;
const channelPosts = async (id: number) =>
  (
    await db.pool.query(
      "SELECT args FROM slack_outbox WHERE incident_id = $1 AND args->>'channel' = $2 ORDER BY id",
      [id, `C0INC${id}`],
    )
  ).rows.map((r: { args: { text: string } }) => r.args.text);

beforeAll(async () => {
  db = await createTestDatabase();
  config = parseFirebreakConfig("timezone: UTC\n");
});
afterAll(async () => {
  await db?.drop();
});

describe("severity response targets", () => {
  it("records and announces a breach once when nobody acknowledged within the target", async () => {
    const id = await declare("P0");
    const timer = await timerOf(id, "sla_breach");
    expect(await processTimer(context(), timer, at(14 * MIN))).toMatchObject({ kind: "wait" });
    expect(await processTimer(context(), timer, at(15 * MIN))).toMatchObject({
      kind: "fired",
      timer: "sla_breach",
    });
    expect(await processTimer(context(), timer, at(16 * MIN))).toEqual({ kind: "inactive" });
    expect(await count(id, "sla.breached")).toBe(1);
    expect((await channelPosts(id)).filter((t) => t.includes("Response target missed"))).toHaveLength(1);
  });

  it("is not breached when acknowledged in time", async () => {
    const id = await declare("P1");
    const timer = await timerOf(id, "sla_breach");
    await change(id, 30 * MIN, { type: "ack" });
    expect(await processTimer(context(), timer, at(2 * HOUR))).toEqual({ kind: "inactive" });
    expect(await count(id, "sla.breached")).toBe(0);
  });

  it("follows a severity change: the new target counts from the declaration", async () => {
    const id = await declare("P3");
    await change(id, 5 * MIN, { type: "severity", severity: "P0" });
    const timer = await timerOf(id, "sla_breach");
    expect(await processTimer(context(), timer, at(15 * MIN))).toMatchObject({ kind: "fired" });
  });
});

describe("status-update reminders", () => {
  it("reminds the channel at the severity's interval, and skips a reminder when the incident changed since", async () => {
    const id = await declare("P0");
    const first = await timerOf(id, "status_update");
    expect(await processTimer(context(), first, at(30 * MIN))).toMatchObject({ kind: "fired" });
    const second = await timerOf(id, "status_update");
    await change(id, 40 * MIN, { type: "note", text: "Rolled back" });
    expect(await processTimer(context(), second, at(60 * MIN))).toMatchObject({ kind: "skipped" });
    const third = await timerOf(id, "status_update");
    expect(await processTimer(context(), third, at(90 * MIN))).toMatchObject({ kind: "fired" });
    expect(await count(id, "status_update.reminded")).toBe(2);
    expect((await channelPosts(id)).filter((t) => t.includes("No update on incident"))).toHaveLength(2);
  });

  it("stops when the incident is resolved", async () => {
    const id = await declare("P0");
    const timer = await timerOf(id, "status_update");
    await change(id, 10 * MIN, { type: "resolve" });
    expect(await processTimer(context(), timer, at(30 * MIN))).toEqual({ kind: "inactive" });
  });
});

describe("the postmortem reminder", () => {
  it("DMs the commander when due after resolve, once", async () => {
    const id = await declare("P1");
    await change(id, HOUR, { type: "resolve" });
    const timer = await timerOf(id, "postmortem");
    expect(await processTimer(context(), timer, at(HOUR + 3 * 24 * HOUR - 1))).toMatchObject({
      kind: "wait",
    });
    expect(await processTimer(context(), timer, at(HOUR + 3 * 24 * HOUR))).toMatchObject({ kind: "fired" });
    expect(await processTimer(context(), timer, at(HOUR + 4 * 24 * HOUR))).toEqual({ kind: "inactive" });
    const dm = await db.pool.query(
      "SELECT args FROM slack_outbox WHERE incident_id = $1 AND channel_key = 'dm:U0CMDR'",
      [id],
    );
    expect(dm.rows).toHaveLength(1);
    expect(dm.rows[0].args.text).toContain("postmortem");
    expect(await count(id, "postmortem.reminded")).toBe(1);
  });

  it("is cancelled by a reopen", async () => {
    const id = await declare("P1");
    await change(id, HOUR, { type: "resolve" });
    const timer = await timerOf(id, "postmortem");
    await change(id, 2 * HOUR, { type: "reopen" });
    expect(await processTimer(context(), timer, at(5 * 24 * HOUR))).toEqual({ kind: "inactive" });
  });
});

describe("the reconciler's view of Postgres", () => {
  it("lists every pending timer due by a moment, so lost jobs can be re-created", async () => {
    const id = await declare("P0");
    const jobs = await dueTimerJobs(context(), at(31 * MIN));
    const mine = await db.pool.query(
      "SELECT id FROM incident_timers WHERE incident_id = $1 AND status = 'pending'",
      [id],
    );
    for (const row of mine.rows)
      expect(jobs).toContainEqual(expect.objectContaining({ type: "timer", timerId: Number(row.id) }));
  });
});
