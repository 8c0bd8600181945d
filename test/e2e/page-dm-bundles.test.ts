import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { whoIsOnCall } from "../../src/core/oncall/who-is-on-call.js";
import { listPages } from "../../src/store/escalations/escalations.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

// Defect 3 of issue 10: fifteen incidents paging one person at once used to reach their DMs
// one a second (Slack's pace per conversation), the median 8 s late. Pages that queue up
// for one person now go out together: one message, an Acknowledge per incident, and an
// Acknowledge all.
const PREFIX = `fbtest-bundles-${randomBytes(4).toString("hex")}`;
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
severity_policies: { P0: default, P1: default, P2: default }
`;
const N = 15;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, env: { FIREBREAK_REDIS_PREFIX: PREFIX } });
});
afterAll(async () => {
  await h?.stop();
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

type Element = { action_id?: string; value?: string };
const buttons = (blocks: unknown[] | undefined): Element[] =>
  ((blocks ?? []) as { elements?: Element[]; accessory?: Element }[]).flatMap((b) => [
    ...(b.elements ?? []),
    ...(b.accessory ? [b.accessory] : []),
  ]);

describe("pages to one person at once", () => {
  it("reach them bundled: every incident with its Acknowledge, fewer messages than pages, and Acknowledge all acknowledges each", async () => {
    const onCall = whoIsOnCall(h.config.paging.schedules.primary!, new Date()).users[0]!;
    // Fifteen P1s declared at once by three people.
    const users = ["U0CAROL", "U0DAVE", "U0ALICE"];
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        h.sender.slashCommand({
          command: "/incident",
          text: `declare P1 Shard ${i} is down`,
          userId: users[i % users.length]!,
          channelId: "C0INCIDENTS",
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(N).fill(200));
    const ids = await eventually(async () => {
      const list = await listIncidents(h.db.pool);
      return list.length >= N ? list.map((i) => i.id).sort((a, b) => a - b) : null;
    }, "fifteen incidents");

    // Every incident's page reaches the on-call person's DMs with its own Acknowledge.
    const dmMessages = () => h.emulator.messages(h.emulator.dm(onCall)?.id ?? "none");
    const acked = (id: number) =>
      dmMessages().some((m) =>
        buttons(m.blocks).some((e) => e.action_id === "incident.ack" && e.value === String(id)),
      );
    await eventually(() => ids.every(acked), "every page in a DM", 60_000).catch(async (err: unknown) => {
      const outbox = await h.db.pool.query(
        "SELECT method, status, count(*)::int AS n FROM slack_outbox GROUP BY 1, 2",
      );
      throw new Error(`${String(err)}; DMs ${dmMessages().length}; outbox ${JSON.stringify(outbox.rows)}`);
    });
    const pageDms = dmMessages().filter((m) => buttons(m.blocks).some((e) => e.action_id === "incident.ack"));
    expect(pageDms.length).toBeLessThan(N);
    for (const id of ids) expect((await listPages(h.db.pool, id)).map((p) => p.userId)).toEqual([onCall]);
    // Each incident's page was in exactly one DM: nothing sent twice.
    const perIncident = ids.map(
      (id) =>
        pageDms.filter((m) =>
          buttons(m.blocks).some((e) => e.action_id === "incident.ack" && e.value === String(id)),
        ).length,
    );
    expect(perIncident).toEqual(Array(N).fill(1));

    const bundle = pageDms.find((m) => buttons(m.blocks).some((e) => e.action_id === "incident.ack_all"))!;
    expect(bundle).toBeDefined();
    const all = buttons(bundle.blocks).find((e) => e.action_id === "incident.ack_all")!;
    const inBundle = all.value!.split(",").map(Number);
    expect(inBundle.length).toBeGreaterThan(1);
    expect(bundle.text).toContain(`You are paged for ${inBundle.length} incidents`);
    // Every incident in the bundle is recorded as messaged in its own timeline.
    await eventually(async () => {
      const recorded = await Promise.all(
        inBundle.map(async (id) =>
          (await listTimeline(h.db.pool, id)).some((e) => e.kind === "slack.message_posted"),
        ),
      );
      return recorded.every(Boolean);
    }, "the DM recorded in each incident's timeline");

    // Somebody else may not acknowledge for the on-call person… but may acknowledge: any
    // responder can. The on-call person clicks Acknowledge all.
    const click = await h.sender.clickButton({
      userId: onCall,
      channelId: bundle.channel,
      messageTs: bundle.ts,
      actionId: "incident.ack_all",
      value: all.value!,
    });
    expect(click.status).toBe(200);
    await eventually(async () => {
      const states = await Promise.all(inBundle.map((id) => getIncident(h.db.pool, id)));
      return states.every((i) => i?.state === "acknowledged" && i.acknowledgedBy === onCall);
    }, "every incident in the bundle acknowledged");
    // The others are untouched.
    const rest = ids.filter((id) => !inBundle.includes(id));
    for (const id of rest) expect((await getIncident(h.db.pool, id))?.state).toBe("declared");

    // A second click changes nothing and says so, privately.
    const again = await h.sender.clickButton({
      userId: onCall,
      channelId: bundle.channel,
      messageTs: bundle.ts,
      actionId: "incident.ack_all",
      value: all.value!,
    });
    expect(again.status).toBe(200);
    const acks = await Promise.all(
      inBundle.map(
        async (id) =>
          (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "incident.acknowledged").length,
      ),
    );
    expect(acks).toEqual(Array(inBundle.length).fill(1));
  }, 120_000);
});
