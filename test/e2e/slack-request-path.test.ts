import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

/**
 * Nothing on the request path calls Slack: Bolt's authorize answers from the identity read
 * at start-up, and roles granted through user groups come from the directory's memory — a
 * group Slack will not let us read costs one call a minute in the background, not one per
 * command.
 */
const CONFIG = `
slack:
  announcements_channel: C0INCIDENTS
roles:
  admin: { users: [U0ALICE] }
  commander: { users: [U0BOB], usergroups: [S0UNREADABLE] }
  responder: { users: [U0CAROL, U0DAVE] }
`;

/** Every Web API method Firebreak calls, so that "Slack answers 429 to everything" holds. */
const METHODS = [
  "auth.test",
  "usergroups.users.list",
  "users.info",
  "chat.postMessage",
  "chat.postEphemeral",
  "chat.update",
  "conversations.create",
  "conversations.invite",
  "conversations.setTopic",
  "conversations.setPurpose",
  "pins.add",
  "views.open",
];

let h: Harness;
let channelId: string;
let incidentId: number;
let summaryTs: string;

beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG });
  const res = await h.sender.slashCommand({
    command: "/incident",
    text: "declare P2 Request path",
    userId: "U0CAROL",
    channelId: "C0INCIDENTS",
  });
  expect(res.status).toBe(200);
  const incident = await eventually(async () => {
    const [i] = await listIncidents(h.db.pool);
    const full = i ? await getIncident(h.db.pool, i.id) : null;
    return full?.summaryTs ? full : null;
  }, "incident channel and summary");
  channelId = incident.channelId!;
  incidentId = incident.id;
  summaryTs = incident.summaryTs!;
});
afterAll(async () => {
  await h?.stop();
});

const slackCalls = (method: string) => h.emulator.callsTo(method).length;

describe("answering Slack requests", () => {
  it("makes no Slack Web API call to authorize a command or a click, nor to read a role's user group", async () => {
    const before = { auth: slackCalls("auth.test"), groups: slackCalls("usergroups.users.list") };
    for (let i = 0; i < 10; i++) {
      const note = await h.sender.slashCommand({
        command: "/incident",
        text: `note checking ${i}`,
        userId: i % 2 ? "U0BOB" : "U0CAROL",
        channelId,
      });
      expect(note.status).toBe(200);
      const click = await h.sender.clickButton({
        userId: "U0DAVE",
        actionId: "incident.ack",
        channelId,
        messageTs: summaryTs,
      });
      expect(click.status).toBe(200);
    }
    // At most the background refresh's single retry of the unreadable group, never one per request.
    expect(slackCalls("auth.test") - before.auth).toBe(0);
    expect(slackCalls("usergroups.users.list") - before.groups).toBeLessThanOrEqual(1);
    await eventually(
      async () =>
        (await listTimeline(h.db.pool, incidentId)).filter((e) => e.kind === "incident.note").length >= 10,
      "the ten notes recorded",
    );
  });

  it("acks and records every one of 300 commands from four people while Slack answers 429 to every call", async () => {
    for (const method of METHODS) h.emulator.rateLimit(method, { perMinute: 0 });
    try {
      const authBefore = slackCalls("auth.test");
      const users = ["U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"];
      const statuses: number[] = [];
      const texts = Array.from({ length: 300 }, (_, i) => `burst ${i}`);
      let next = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < texts.length) {
            const i = next++;
            const res = await h.sender.slashCommand({
              command: "/incident",
              text: `note ${texts[i]!}`,
              userId: users[i % users.length]!,
              channelId,
            });
            statuses.push(res.status);
          }
        }),
      );
      expect(statuses).toHaveLength(300);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(slackCalls("auth.test") - authBefore).toBe(0);
      const recorded = await eventually(
        async () => {
          const notes = (await listTimeline(h.db.pool, incidentId))
            .filter((e) => e.kind === "incident.note")
            .map((e) => String((e.data as { text?: unknown }).text));
          const burst = notes.filter((t) => t.startsWith("burst "));
          return burst.length >= 300 ? burst : null;
        },
        "all 300 notes in the timeline",
        30_000,
      );
      expect(new Set(recorded)).toEqual(new Set(texts));
    } finally {
      for (const method of METHODS) h.emulator.rateLimit(method, null);
    }
  });
});
