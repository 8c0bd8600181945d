import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listDeliveries } from "../../src/store/deliveries/page-deliveries.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually } from "../support/harness.js";
import { startPagingHarness } from "../support/paging-harness.js";
import type { PagingHarness } from "../support/paging-harness.js";

const PHONES = { U0ALICE: "+4915100000001", U0BOB: "+4915100000002", U0CAROL: "+4915100000003" };
const person = (id: keyof typeof PHONES, topic: string) => `
  ${id}:
    contact_methods:
      - { id: mail, type: email, address: ${id.toLowerCase()}@example.com }
      - { id: phone, type: sms, number: "${PHONES[id]}" }
      - { id: push, type: ntfy, topic: ${topic} }
    notification_rules:
      - { method: slack, after: 0m }
      - { method: mail, after: 1m }
      - { method: phone, after: 1m }
      - { method: push, after: 1m }`;
const CONFIG = `${TEST_CONFIG_YAML}
people:${person("U0ALICE", "alice-pages")}${person("U0BOB", "bob-pages")}${person("U0CAROL", "carol-pages")}
escalation_policies:
  default:
    steps:
      - { notify: [{ user: U0ALICE }, { user: U0BOB }, { user: U0CAROL }], ack_timeout: 30m }
severity_policies: { P1: default, P2: default }
`;

let h: PagingHarness;
beforeAll(async () => {
  h = await startPagingHarness(CONFIG, { FIREBREAK_RECONCILE_INTERVAL: "1s" });
});
afterAll(async () => h?.stop());
beforeEach(async () => h.tick(2 * 60_000));

const MINUTE = 60_000;

/** What reached each provider about incident `id`. */
function received(id: number) {
  return {
    sms: h.twilio.messages.filter((m) => m.direction === "outbound-api" && m.body.includes(`#${id} `)).length,
    mail: h.smtp.mails.filter((m) => m.text.includes(`#${id} `)).length,
    push: h.ntfy.messages.filter((m) => m.title?.startsWith(`#${id} `)).length,
  };
}

describe("page deliveries, exactly once whatever fails", () => {
  it("a provider that is down is retried with backoff; once back, the SMS goes out once; the others went on", async () => {
    const id = await h.declare("P1 Provider outage");
    await eventually(async () => (await listDeliveries(h.db.pool, id)).length === 12, "fan-out");
    h.twilio.setDown(true);
    await h.tick(MINUTE);
    const phones = await eventually(async () => {
      const list = (await listDeliveries(h.db.pool, id)).filter((d) => d.methodId === "phone");
      return list.every((d) => d.attempts === 1) && list;
    }, "a first failed attempt each");
    expect(phones.map((d) => [d.status, d.attempts])).toEqual([
      ["pending", 1],
      ["pending", 1],
      ["pending", 1],
    ]);
    expect(phones[0]!.lastError).toMatch(/Twilio 20503: Service Unavailable/);
    expect(received(id)).toEqual({ sms: 0, mail: 3, push: 3 });
    h.twilio.setDown(false);
    // The retry (after 2s) is made by whichever gets there first: this sweep or the worker.
    await h.tick(2_000);
    await eventually(async () => received(id).sms === 3, "the SMS once Twilio is back");
    await h.tick(MINUTE);
    expect(received(id)).toEqual({ sms: 3, mail: 3, push: 3 });
    expect((await listDeliveries(h.db.pool, id)).every((d) => d.status === "delivered")).toBe(true);
  });

  it("a provider that never comes back is dead-lettered, visibly, in the timeline and the channel", async () => {
    const id = await h.declare("P2 Mail never delivered");
    await eventually(async () => (await listDeliveries(h.db.pool, id)).length === 12, "fan-out");
    h.smtp.setDown(true);
    try {
      await h.tick(MINUTE);
      // Retries after 2s, 4s, 8s, 16s, 32s: the sixth attempt is the last.
      const dead = async () =>
        (await listDeliveries(h.db.pool, id)).filter((d) => d.methodId === "mail" && d.status === "dead")
          .length === 3;
      for (let i = 0; i < 30 && !(await dead()); i++) await h.tick(20_000);
    } finally {
      h.smtp.setDown(false);
    }
    const mails = (await listDeliveries(h.db.pool, id)).filter((d) => d.methodId === "mail");
    expect(mails.map((d) => [d.status, d.attempts])).toEqual(Array(3).fill(["dead", 6]));
    const dead = (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "page.delivery_dead_letter");
    expect(dead.map((e) => (e.data as { user: string }).user).sort()).toEqual([
      "U0ALICE",
      "U0BOB",
      "U0CAROL",
    ]);
    const channel = (await getIncident(h.db.pool, id))!.channelId!;
    await eventually(
      () => h.emulator.messages(channel).find((m) => m.text.includes("Could not page <@U0ALICE> by email")),
      "the dead letter in the channel",
    );
    expect(received(id).sms).toBe(3);
  });

  it("pages queued behind the rate limit go out as one message: '2 incidents need you'", async () => {
    const first = await h.declare("P1 First");
    await eventually(async () => (await listDeliveries(h.db.pool, first)).length === 12, "fan-out");
    await h.tick(MINUTE);
    await eventually(() => received(first).sms === 3, "the first SMS");
    const second = await h.declare("P2 Second");
    const third = await h.declare("P2 Third");
    for (const id of [second, third])
      await eventually(async () => (await listDeliveries(h.db.pool, id)).length === 12, "fan-out");
    await h.tick(MINUTE);
    await eventually(() => received(third).sms === 3, "the SMS");
    const toAlice = h.twilio.messages.filter((m) => m.to === PHONES.U0ALICE);
    const bundle = toAlice.at(-1)!;
    expect(bundle.body).toMatch(
      new RegExp(`^Firebreak: 2 incidents need you: #${second} P2 .*#${third} P2 `),
    );
    expect(toAlice.filter((m) => m.body.includes(`#${second} `))).toHaveLength(1);
    const reply = await h.twilio.replySms({ from: PHONES.U0ALICE, body: "1" });
    expect(reply.body).toContain(`Acknowledged #${second}, #${third}.`);
    expect((await getIncident(h.db.pool, second))?.state).toBe("acknowledged");
    expect((await getIncident(h.db.pool, third))?.state).toBe("acknowledged");
  });

  it("Redis flushed mid-fan-out: the reconciler rebuilds the timers from Postgres, every delivery goes out exactly once", async () => {
    const ids = [await h.declare("P1 Flush one"), await h.declare("P1 Flush two")];
    for (const id of ids)
      await eventually(async () => (await listDeliveries(h.db.pool, id)).length === 12, "fan-out");
    await h.flushRedis();
    // Time passes; only the reconciler (every second here) knows the deliveries are due.
    h.clock.offsetMs += MINUTE;
    await eventually(
      async () => {
        const all = (await Promise.all(ids.map((id) => listDeliveries(h.db.pool, id)))).flat();
        return all.every((d) => d.status === "delivered");
      },
      "every delivery made",
      20_000,
    );
    // A second worker sweeping the same timers at the same time sends nothing again.
    await Promise.all([h.tick(0), h.tick(0), h.tick(30_000)]);
    const total = (key: "sms" | "mail" | "push") => ids.reduce((n, id) => n + received(id)[key], 0);
    // Two incidents to three people: each SMS and email bundles both, each push is one per page.
    expect(
      h.twilio.messages.filter(
        (m) => m.body.startsWith("Firebreak: 2 incidents need you") && m.body.includes(`#${ids[0]} `),
      ),
    ).toHaveLength(3);
    expect({ sms: total("sms"), mail: total("mail"), push: total("push") }).toEqual({
      sms: 6,
      mail: 6,
      push: 6,
    });
    for (const id of ids)
      for (const d of await listDeliveries(h.db.pool, id))
        expect([d.methodId, d.attempts]).toEqual([d.methodId, 1]);
  });
});
