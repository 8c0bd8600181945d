import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPages } from "../../src/store/escalations/escalations.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  // Slack's own timings (3 s ack timeout), with redeliveries a second apart instead of minutes.
  h = await startHarness({
    slackTransport: "socket",
    emulator: { socketMode: { retryDelaysMs: [0, 1000, 2000, 4000] } },
  });
});
afterAll(async () => {
  await h?.stop();
});

const socket = () => h.emulator.socketMode;
const kinds = async (incidentId: number) => (await listTimeline(h.db.pool, incidentId)).map((e) => e.kind);
const count = (list: string[], kind: string) => list.filter((k) => k === kind).length;

async function incidentWithSummary(): Promise<Incident> {
  return eventually(async () => {
    const [only, ...more] = await listIncidents(h.db.pool);
    if (more.length > 0) throw new Error(`${more.length + 1} incidents were declared`);
    return only?.summaryTs ? only : null;
  }, "the incident with its pinned summary");
}

describe("Firebreak over Socket Mode (SLACK_APP_TOKEN, no public URL)", () => {
  it("opens its connection with the app-level token at SLACK_API_URL and serves no Slack HTTP route", async () => {
    const opens = h.emulator.callsTo("apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0]!.response).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:/),
    });
    expect(socket().openConnections()).toHaveLength(1);
    const res = await fetch(`${h.url}/slack/events`, { method: "POST", body: "command=%2Fincident" });
    expect(res.status).toBe(404);
  });

  it("runs an incident from declaration to resolution through a forced reconnect and redelivered envelopes, doing each thing once", async () => {
    // Declare; Slack never gets the ack, so it delivers the command again.
    socket().dropAcks(1);
    const declared = await h.sender.slashCommand({
      command: "/incident",
      text: "declare P1 Checkout is down",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    expect(declared.status).toBe(200);
    expect(declared.deliveries).toBeGreaterThanOrEqual(2);
    const incident = await incidentWithSummary();
    const channelId = incident.channelId!;
    const channel = h.emulator.channels().find((c) => c.id === channelId)!;
    expect(channel.name).toMatch(/^inc-\d{8}-\d+-checkout-is-down$/);
    expect(h.emulator.channels().filter((c) => c.name.includes("checkout-is-down"))).toHaveLength(1);
    await eventually(() => channel.pins.some((p) => p.ts === incident.summaryTs), "summary pinned");
    await eventually(
      () => h.emulator.messages("C0INCIDENTS").find((m) => m.bot_id && m.text.includes(`#${incident.id}`)),
      "announcement",
    );

    // Acknowledge from the pinned summary; that ack is lost too.
    socket().dropAcks(1);
    const acked = await h.sender.clickButton({
      userId: "U0CAROL",
      channelId,
      messageTs: incident.summaryTs!,
      actionId: "incident.ack",
    });
    expect(acked.status).toBe(200);
    expect(acked.deliveries).toBeGreaterThanOrEqual(2);
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "acknowledged",
      "acknowledged",
    );

    // Slack recycles the connection mid-incident: Firebreak opens a new one.
    const [old] = socket().disconnect("refresh_requested");
    const fresh = await socket().waitForConnection((c) => c.id > old!.id);
    await eventually(() => old!.closedAt, "the old connection closed");
    expect(h.emulator.callsTo("apps.connections.open")).toHaveLength(2);

    // A note whose connection dies before its ack: Slack delivers it again on the next one.
    socket().dropConnectionAfterNextEnvelope();
    const noted = await h.sender.slashCommand({
      command: "/incident",
      text: "note Rolled back to v41",
      userId: "U0BOB",
      channelId,
    });
    expect(noted.status).toBe(200);
    expect(noted.deliveries).toBeGreaterThanOrEqual(2);
    await socket().waitForConnection((c) => c.id > fresh.id);

    // A note from the modal; the submission's ack is lost.
    await h.sender.clickButton({
      userId: "U0CAROL",
      channelId,
      messageTs: incident.summaryTs!,
      actionId: "incident.add_note",
    });
    await eventually(
      () => h.emulator.views("U0CAROL").find((v) => v.callback_id === "incident.note_modal"),
      "note modal open",
    );
    socket().dropAcks(1);
    const submitted = await h.sender.submitView({
      userId: "U0CAROL",
      callbackId: "incident.note_modal",
      values: { note: { note: "Error rate back to baseline" } },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.stack).toEqual([]);

    // Page someone; the command is delivered twice, the page goes out once.
    socket().dropAcks(1);
    const paged = await h.sender.slashCommand({
      command: "/incident",
      text: "page <@U0DAVE|dave>",
      userId: "U0CAROL",
      channelId,
    });
    expect(paged.deliveries).toBeGreaterThanOrEqual(2);
    await eventually(async () => (await listPages(h.db.pool, incident.id)).length > 0, "page recorded");

    // Resolve.
    const resolved = await h.sender.slashCommand({
      command: "/incident",
      text: "resolve Bad deploy rolled back",
      userId: "U0CAROL",
      channelId,
    });
    expect(resolved.status).toBe(200);
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
      "resolved",
    );

    // Wait for the last effects, then count: each thing happened exactly once.
    await eventually(async () => (await kinds(incident.id)).includes("incident.resolved"), "resolved event");
    await eventually(
      async () => count(await kinds(incident.id), "incident.note") >= 2,
      "both notes recorded",
    );
    const events = await kinds(incident.id);
    expect(count(events, "incident.declared")).toBe(1);
    expect(count(events, "slack.channel_created")).toBe(1);
    expect(count(events, "incident.acknowledged")).toBe(1);
    expect(count(events, "incident.note")).toBe(2);
    expect(count(events, "page.requested")).toBe(1);
    expect(count(events, "incident.resolved")).toBe(1);
    const notes = (await listTimeline(h.db.pool, incident.id))
      .filter((e) => e.kind === "incident.note")
      .map((e) => (e.data as { text?: string }).text);
    expect(notes).toEqual(["Rolled back to v41", "Error rate back to baseline"]);
    expect(await listPages(h.db.pool, incident.id)).toHaveLength(1);
    expect(await listIncidents(h.db.pool)).toHaveLength(1);
    expect(h.emulator.callsTo("conversations.create")).toHaveLength(1);
    expect((await auditTimeline(h.db.pool)).broken).toEqual([]);
  }, 120_000);

  it("stays up through a Slack outage and a refused token at reconnection, and reconnects once Slack answers", async () => {
    const before = h.emulator.callsTo("apps.connections.open").length;
    h.emulator.failNext("apps.connections.open", { httpStatus: 503 }, 2);
    h.emulator.failNext("apps.connections.open", { error: "invalid_auth" });
    const [old] = socket().disconnect("refresh_requested");
    await socket().waitForConnection((c) => c.id > old!.id, 30_000);
    const opens = h.emulator.callsTo("apps.connections.open").slice(before);
    expect(opens.map((c) => [c.status, (c.response as { error?: string }).error])).toEqual([
      [503, "service_unavailable"],
      [503, "service_unavailable"],
      [200, "invalid_auth"],
      [200, undefined],
    ]);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const help = await h.sender.slashCommand({
      command: "/incident",
      text: "help",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    expect(help.ackMessage?.text).toBeTruthy();
  }, 60_000);
});
