import { randomBytes } from "node:crypto";
import { pagingPorts } from "../support/wiring.js";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { whoIsOnCall } from "../../src/core/oncall/who-is-on-call.js";
import { runTimerJob } from "../../src/jobs/timer-scheduler.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import { getEscalation, listPages } from "../../src/store/escalations/escalations.js";
import { escalationJob } from "../../src/paging/process-escalation.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const PREFIX = `fbtest-paging-e2e-${randomBytes(4).toString("hex")}`;
const CONFIG = `${TEST_CONFIG_YAML}
schedules:
  primary:
    time_zone: UTC
    layers:
      - { name: weekly, users: [U0ALICE, U0BOB], shift: weekly, handoff: "09:00", start: "2026-01-05" }
escalation_policies:
  default:
    steps:
      - { notify: [{ schedule: primary }], ack_timeout: 15m }
      - { notify: [{ user: U0CAROL }], ack_timeout: 30m }
      - { notify: [{ user: U0DAVE }], ack_timeout: 1h }
severity_policies: { P0: default, P1: default, P2: default }
`;

let h: Harness;
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, clock, env: { FIREBREAK_REDIS_PREFIX: PREFIX } });
});
afterAll(async () => {
  await h?.stop();
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function declare(text: string): Promise<number> {
  const before = (await listIncidents(h.db.pool)).length;
  await h.sender.slashCommand({
    command: "/incident",
    text: `declare ${text}`,
    userId: "U0CAROL",
    channelId: "C0INCIDENTS",
  });
  const all = await eventually(async () => {
    const list = await listIncidents(h.db.pool);
    return list.length > before ? list : null;
  }, "incident declared");
  return all[0]!.id;
}

const ackButtonIn = (blocks: unknown[] | undefined, id: number) =>
  (blocks as { elements?: { action_id?: string; value?: string }[] }[] | undefined)
    ?.flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === "incident.ack" && e.value === String(id));

describe("paging the person on call", () => {
  it("declaring a P1 DMs the on-call person with Acknowledge; clicking it in the DM acknowledges and stops paging", async () => {
    const onCall = whoIsOnCall(h.config.paging.schedules.primary!, clock.now()).users[0]!;
    const id = await declare("P1 Checkout is failing");
    const dm = await eventually(
      () => h.emulator.messages(h.emulator.dm(onCall)?.id ?? "none").find((m) => ackButtonIn(m.blocks, id)),
      "page DM",
    );
    expect(dm.text).toContain(`incident #${id} (P1)`);
    const incident = await eventually(async () => {
      const i = await getIncident(h.db.pool, id);
      return i?.channelId ? i : null;
    }, "channel");
    await eventually(
      () => h.emulator.messages(incident.channelId!).find((m) => m.text.includes(`Paging <@${onCall}>`)),
      "mention in the incident channel",
    );

    const click = await h.sender.clickButton({
      userId: onCall,
      channelId: dm.channel,
      messageTs: dm.ts,
      actionId: "incident.ack",
      value: String(id),
    });
    expect(click.status).toBe(200);
    await eventually(
      async () => (await getIncident(h.db.pool, id))?.state === "acknowledged",
      "acknowledged",
    );
    expect((await getIncident(h.db.pool, id))?.acknowledgedBy).toBe(onCall);
    expect(await getEscalation(h.db.pool, id)).toMatchObject({
      status: "stopped",
      stopReason: "acknowledged",
    });
    await eventually(async () => {
      const ts = (await getIncident(h.db.pool, id))?.summaryTs;
      const summary = h.emulator.messages(incident.channelId!).find((m) => m.ts === ts);
      return JSON.stringify(summary?.blocks ?? []).includes("Escalation *default* stopped (acknowledged)");
    }, "the pinned summary shows the escalation stopped");

    // The timers for later steps find nothing to do, however late they fire.
    const ctx = {
      pool: h.db.pool,
      clock,
      config: h.config,
      log: createLogger("silent"),
      settings: DEFAULT_PAGING_SETTINGS,
      ...pagingPorts(),
    };
    for (const minutes of [15, 45, 120]) {
      const later = new Date(clock.now().getTime() + minutes * 60_000);
      const job = escalationJob({ incidentId: id, run: 1, currentStep: 0, currentRepeat: 0 }, later);
      expect(await runTimerJob(ctx, job, later)).toBeUndefined();
    }
    expect((await listPages(h.db.pool, id)).map((p) => p.userId)).toEqual([onCall]);
    const kinds = (await listTimeline(h.db.pool, id)).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "escalation.started",
        "page.sent",
        "incident.acknowledged",
        "escalation.stopped",
      ]),
    );
  });

  it("/incident escalate pages the next step now, and /incident page pages someone ad hoc", async () => {
    const id = await declare("P2 Search is slow");
    const incident = await eventually(async () => {
      const i = await getIncident(h.db.pool, id);
      return i?.channelId && (await listPages(h.db.pool, id)).length === 1 ? i : null;
    }, "first page and channel");
    await h.sender.slashCommand({
      command: "/incident",
      text: "escalate",
      userId: "U0BOB",
      channelId: incident.channelId!,
    });
    await eventually(
      () =>
        h.emulator.messages(h.emulator.dm("U0CAROL")?.id ?? "none").find((m) => ackButtonIn(m.blocks, id)),
      "step 2 DM to carol",
    );
    await h.sender.slashCommand({
      command: "/incident",
      text: "page <@U0DAVE|dave>",
      userId: "U0BOB",
      channelId: incident.channelId!,
    });
    await eventually(
      () =>
        h.emulator
          .messages(h.emulator.dm("U0DAVE")?.id ?? "none")
          .find((m) => m.text.includes(`incident #${id}`)),
      "ad hoc DM to dave",
    );
    const pages = await listPages(h.db.pool, id);
    expect(pages.map((p) => [p.reason, p.userId])).toEqual([
      ["escalation", pages[0]!.userId],
      ["escalation", "U0CAROL"],
      ["adhoc", "U0DAVE"],
    ]);
  });

  it("/oncall answers who is on call, ephemerally", async () => {
    const onCall = whoIsOnCall(h.config.paging.schedules.primary!, clock.now()).users[0]!;
    await h.sender.slashCommand({ command: "/oncall", text: "", userId: "U0DAVE", channelId: "C0INCIDENTS" });
    await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.includes(`*primary*: <@${onCall}>`)),
      "/oncall answer",
    );
  });

  it("refuses paging and on-call overrides from someone without a role, and records the attempts", async () => {
    const id = await declare("P2 Who may page");
    const incident = await eventually(async () => {
      const i = await getIncident(h.db.pool, id);
      return i?.channelId ? i : null;
    }, "channel");
    // The escalation pages its first step at once: let that page land before counting.
    const before = (
      await eventually(async () => {
        const pages = await listPages(h.db.pool, id);
        return pages.length > 0 ? pages : null;
      }, "the escalation's first page")
    ).length;
    await h.sender.slashCommand({
      command: "/incident",
      text: "page <@U0BOB|bob>",
      userId: "U0DAVE",
      channelId: incident.channelId!,
    });
    await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.includes("You may not page people")),
      "page refusal",
    );
    await h.sender.slashCommand({
      command: "/oncall",
      text: "override <@U0DAVE> 4h primary",
      userId: "U0DAVE",
      channelId: "C0INCIDENTS",
    });
    await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.includes("You may not change who is on call")),
      "override refusal",
    );
    expect((await listPages(h.db.pool, id)).length).toBe(before);
    expect((await h.db.pool.query("SELECT count(*)::int AS n FROM oncall_overrides")).rows[0].n).toBe(0);
    const refusedHere = (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "command.refused");
    expect(refusedHere.map((e) => (e.data as { command: string }).command)).toContain("page");
    const refusedWorkspace = (await listTimeline(h.db.pool, 0)).filter((e) => e.kind === "command.refused");
    expect(refusedWorkspace.map((e) => (e.data as { command: string }).command)).toContain("oncall override");
  });
});
