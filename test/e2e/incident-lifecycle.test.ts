import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const kinds = async (incidentId: number) => (await listTimeline(h.db.pool, incidentId)).map((e) => e.kind);
const summaryOf = async (incidentId: number) => {
  const i = await eventually(async () => {
    const x = await getIncident(h.db.pool, incidentId);
    return x?.summaryTs ? x : null;
  }, "summary posted");
  return { incident: i, message: h.emulator.messages(i.channelId!).find((m) => m.ts === i.summaryTs)! };
};
const summaryText = (m: { blocks?: unknown[] }) => JSON.stringify(m.blocks);

async function declare(text: string, userId = "U0CAROL") {
  const before = (await listIncidents(h.db.pool)).length;
  const res = await h.sender.slashCommand({
    command: "/incident",
    text: `declare ${text}`,
    userId,
    channelId: "C0INCIDENTS",
  });
  expect(res.status).toBe(200);
  const incidents = await eventually(async () => {
    const all = await listIncidents(h.db.pool);
    return all.length > before ? all : null;
  }, "incident stored");
  return (await summaryOf(incidents[0]!.id)).incident;
}

describe("declaring an incident from Slack", () => {
  it("opens a channel, invites the declarer, sets topic and purpose, pins a summary and announces it", async () => {
    const incident = await declare("P1 Checkout <!channel> failing & slow");
    expect(incident.severity).toBe("P1");
    expect(incident.commander).toBe("U0CAROL");
    const channel = h.emulator.channels().find((c) => c.id === incident.channelId)!;
    expect(channel.name).toMatch(/^inc-\d{8}-\d+-checkout-channel-failing-slow$/);
    expect(channel.members).toContain("U0CAROL");
    await eventually(
      () => h.emulator.channels().find((c) => c.id === incident.channelId)?.purpose.value,
      "purpose set",
    );
    expect(channel.topic.value).toContain("P1");
    const { message } = await summaryOf(incident.id);
    await eventually(
      () =>
        h.emulator
          .channels()
          .find((c) => c.id === incident.channelId)!
          .pins.some((p) => p.ts === message.ts),
      "summary pinned",
    );
    expect(message.text).toContain("&lt;!channel&gt;");
    expect(summaryText(message)).not.toMatch(/"mrkdwn","text":"[^"]*<!channel>/);
    expect(summaryText(message)).toContain("incident.ack");
    const announcement = await eventually(
      () => h.emulator.messages("C0INCIDENTS").find((m) => m.text.includes(`#${incident.id}`) && m.bot_id),
      "announcement",
    );
    expect(announcement.text).toContain(`<#${incident.channelId}>`);
    expect(announcement.text).not.toContain("<!channel>");
    expect(await kinds(incident.id)).toEqual(
      expect.arrayContaining(["incident.declared", "slack.channel_created", "slack.message_posted"]),
    );
  });

  it("suffixes the channel name when it is taken", async () => {
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    const nextId = Number(
      (await h.db.pool.query("SELECT last_value + 1 AS n FROM incidents_id_seq")).rows[0].n,
    );
    await h.runtime.slack.call("conversations.create", { name: `inc-${today}-${nextId}-db-down` });
    const incident = await declare("P0 DB down");
    expect(incident.channelName).toBe(`inc-${today}-${nextId}-db-down-2`);
  });

  it("opens a form when declare has no title, and declares once from the submitted form", async () => {
    const res = await h.sender.slashCommand({
      command: "/incident",
      text: "declare",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    expect(res.status).toBe(200);
    const open = await h.emulator.waitForCall(
      "views.open",
      (c) => (c.args.view as { callback_id?: string }).callback_id === "incident.declare_modal",
    );
    expect(open.status).toBe(200);
    const before = (await listIncidents(h.db.pool)).length;
    const sub = await h.sender.submitView({
      userId: "U0BOB",
      callbackId: "incident.declare_modal",
      values: {
        title: { title: "Search is slow" },
        severity: { severity: "P3" },
        description: { description: "p99 at 4s" },
      },
    });
    expect(sub.status).toBe(200);
    const created = await eventually(async () => {
      const all = await listIncidents(h.db.pool);
      return all.length > before ? all[0] : null;
    }, "declared from modal");
    expect(created).toMatchObject({
      title: "Search is slow",
      severity: "P3",
      description: "p99 at 4s",
      declaredBy: "U0BOB",
    });
  });
});

describe("driving an incident", () => {
  it("acknowledges once however often the button is clicked, and updates the pinned summary in place", async () => {
    const incident = await declare("P2 Double click");
    const { message } = await summaryOf(incident.id);
    const click = () =>
      h.sender.clickButton({
        userId: "U0CAROL",
        channelId: incident.channelId!,
        messageTs: message.ts,
        actionId: "incident.ack",
      });
    const results = await Promise.all([click(), click(), click()]);
    for (const r of results) expect(r.status).toBe(200);
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "acknowledged",
      "acknowledged",
    );
    const events = await kinds(incident.id);
    expect(events.filter((k) => k === "incident.acknowledged")).toHaveLength(1);
    const updated = await eventually(() => {
      const m = h.emulator.messages(incident.channelId!).find((x) => x.ts === message.ts);
      return m && m.history.length > 0 && summaryText(m).includes("acknowledged") ? m : null;
    }, "summary updated in place");
    expect(summaryText(updated)).not.toContain('incident.ack"');
    expect(
      h.emulator
        .channels()
        .find((c) => c.id === incident.channelId)!
        .pins.map((p) => p.ts),
    ).toEqual([message.ts]);
  });

  it("refuses a severity change from someone without the role, tells them why, and records the attempt", async () => {
    const incident = await declare("P2 Permissions", "U0CAROL");
    const res = await h.sender.slashCommand({
      command: "/incident",
      text: "sev P0",
      userId: "U0DAVE",
      channelId: incident.channelId!,
    });
    expect(res.status).toBe(200);
    const reply = await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.includes("You may not change severity")),
      "refusal",
    );
    expect(reply.text).toMatch(/commander, admin/);
    expect((await getIncident(h.db.pool, incident.id))!.severity).toBe("P2");
    const refused = (await listTimeline(h.db.pool, incident.id)).find((e) => e.kind === "command.refused");
    expect(refused).toMatchObject({ actor: "U0DAVE", data: { command: "severity", via: "slash" } });
  });

  it("lets the commander change severity by select, tick the checklist, assign roles, note, mitigate, resolve and reopen", async () => {
    const incident = await declare("P2 Full life", "U0BOB");
    const { message } = await summaryOf(incident.id);
    const ch = incident.channelId!;
    expect(
      (
        await h.sender.selectOption({
          userId: "U0BOB",
          channelId: ch,
          messageTs: message.ts,
          actionId: "incident.severity",
          selectedValue: `${incident.id}:P1`,
        })
      ).status,
    ).toBe(200);
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.severity === "P1",
      "severity P1",
    );
    await h.sender.clickButton({
      userId: "U0CAROL",
      channelId: ch,
      messageTs: message.ts,
      actionId: "incident.checklist",
      value: `${incident.id}:1:done`,
    });
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.checklist[0]?.doneBy === "U0CAROL",
      "checklist ticked",
    );
    const steps: [string, string][] = [
      ["role scribe <@U0DAVE|dave>", "incident.role_assigned"],
      ["note Rolled back to v41 <!here>", "incident.note"],
      ["mitigate", "incident.mitigated"],
      ["resolve Bad deploy rolled back", "incident.resolved"],
    ];
    for (const [text, kind] of steps) {
      await h.sender.slashCommand({ command: "/incident", text, userId: "U0BOB", channelId: ch });
      await eventually(async () => (await kinds(incident.id)).includes(kind), kind);
    }
    const resolved = await eventually(async () => {
      const i = await getIncident(h.db.pool, incident.id);
      return i?.state === "resolved" ? i : null;
    }, "resolved");
    expect(resolved).toMatchObject({
      scribe: "U0DAVE",
      resolutionSummary: "Bad deploy rolled back",
      resolvedBy: "U0BOB",
    });
    const afterResolve = await h.sender.slashCommand({
      command: "/incident",
      text: "ack",
      userId: "U0BOB",
      channelId: ch,
    });
    expect(afterResolve.status).toBe(200);
    await eventually(
      () => h.emulator.ephemerals("U0BOB").find((m) => m.text.includes("Reopen it first")),
      "refusal to ack a resolved incident",
    );
    await h.sender.slashCommand({
      command: "/incident",
      text: `reopen #${incident.id}`,
      userId: "U0ALICE",
      channelId: "C0INCIDENTS",
    });
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "declared",
      "reopened",
    );
    expect(await kinds(incident.id)).toEqual(
      expect.arrayContaining([
        "incident.severity_changed",
        "checklist.ticked",
        "incident.role_assigned",
        "incident.note",
        "incident.mitigated",
        "incident.resolved",
        "command.refused",
        "incident.reopened",
      ]),
    );
    const channelTexts = await eventually(() => {
      const t = h.emulator
        .messages(ch)
        .map((m) => m.text)
        .join("\n");
      return t.includes("reopened incident") ? t : null;
    }, "channel messages (paced at one a second)");
    expect(channelTexts).toContain("resolved incident");
    expect(channelTexts).not.toContain("<!here>");
  });

  it("shows the latest timeline events on /incident timeline", async () => {
    const incident = await declare("P3 Timeline view");
    await h.sender.slashCommand({
      command: "/incident",
      text: "note checking <@U0BOB>",
      userId: "U0CAROL",
      channelId: incident.channelId!,
    });
    await eventually(async () => (await kinds(incident.id)).includes("incident.note"), "note recorded");
    await h.sender.slashCommand({
      command: "/incident",
      text: `timeline #${incident.id}`,
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    const reply = await eventually(
      () => h.emulator.ephemerals("U0CAROL").find((m) => m.text === `Timeline of incident #${incident.id}`),
      "timeline reply",
    );
    expect(JSON.stringify(reply.blocks)).toContain("note: checking");
  });
});

describe("bad input changes nothing", () => {
  it("answers a malformed command in the acknowledgement itself", async () => {
    const before = await h.db.pool.query("SELECT count(*) FROM timeline_events");
    const res = await h.sender.slashCommand({
      command: "/incident",
      text: "sev P9",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain("is not a severity");
    const after = await h.db.pool.query("SELECT count(*) FROM timeline_events");
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });

  it("rejects a forged signature and a replayed (stale) request", async () => {
    const before = (await listIncidents(h.db.pool)).length;
    const forged = await h.sender.slashCommand(
      { command: "/incident", text: "declare P0 forged", userId: "U0DAVE", channelId: "C0INCIDENTS" },
      { signingSecret: "not-the-secret" },
    );
    const stale = await h.sender.slashCommand(
      { command: "/incident", text: "declare P0 replayed", userId: "U0DAVE", channelId: "C0INCIDENTS" },
      { ageSeconds: 6 * 60 },
    );
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect((await listIncidents(h.db.pool)).length).toBe(before);
  });

  it("answers a command naming no incident outside an incident channel with what to do", async () => {
    await h.sender.slashCommand({
      command: "/incident",
      text: "ack",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    await eventually(
      () => h.emulator.ephemerals("U0CAROL").find((m) => m.text.includes("not an incident channel")),
      "hint",
    );
  });
});

describe("when Slack rate-limits", () => {
  it("waits out Retry-After and delivers everything, in order, losing nothing", async () => {
    h.emulator.failNext("chat.postMessage", { rateLimitSeconds: 1 }, 3);
    h.emulator.failNext("conversations.create", { rateLimitSeconds: 1 }, 1);
    const incident = await declare("P2 Under a 429 storm");
    const { message } = await summaryOf(incident.id);
    expect(message.ts).toBeTruthy();
    const answered429 = h.emulator.calls.filter(
      (c) => c.status === 429 && (c.method === "chat.postMessage" || c.method === "conversations.create"),
    );
    expect(answered429).toHaveLength(4);
    const retried = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM slack_outbox WHERE incident_id = $1 AND attempts > 1 AND status = 'done'",
      [incident.id],
    );
    expect(retried.rows[0].n).toBeGreaterThan(0);
    await eventually(async () => {
      const r = await h.db.pool.query("SELECT count(*)::int AS n FROM slack_outbox WHERE status = 'pending'");
      return r.rows[0].n === 0;
    }, "outbox drained");
    const failed = await h.db.pool.query(
      "SELECT method, last_error FROM slack_outbox WHERE status = 'failed'",
    );
    expect(failed.rows).toEqual([]);
  });
});

describe("the record", () => {
  it("verifies every hash chain after all of the above", async () => {
    const report = await auditTimeline(h.db.pool);
    expect(report.broken).toEqual([]);
    expect(report.events).toBeGreaterThan(20);
  });
});

describe("the pinned summary between changes", () => {
  it("is re-rendered so that the time left to the response target stays true", async () => {
    const { refreshOpenSummaries } = await import("../../src/jobs/summary-refresh.js");
    const incident = await declare("P0 Countdown");
    const { message } = await summaryOf(incident.id);
    const updatesBefore = h.emulator.callsTo("chat.update").filter((c) => c.args.ts === message.ts).length;
    // Unacknowledged incidents are refreshed on every tick.
    expect(await refreshOpenSummaries(h.runtime.incidents, 1)).toBeGreaterThan(0);
    await eventually(
      () => h.emulator.callsTo("chat.update").filter((c) => c.args.ts === message.ts).length > updatesBefore,
      "summary re-rendered",
    );
  });
});
