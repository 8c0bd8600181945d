import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processDelivery } from "../../src/paging/deliver-page.js";
import { listDeliveries } from "../../src/store/deliveries/page-deliveries.js";
import type { PageDelivery } from "../../src/store/deliveries/page-deliveries.js";
import { withTransaction } from "../../src/store/pool.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually } from "../support/harness.js";
import { startPagingHarness } from "../support/paging-harness.js";
import type { PagingHarness } from "../support/paging-harness.js";

const PHONE = "+4915100000011";
const BOB_PHONE = "+4915100000012";
const CAROL_PHONE = "+4915100000013";
/** Each person: a Slack DM at once, an SMS a minute later; paged alone by their own policy. */
const PEOPLE = { U0ALICE: PHONE, U0BOB: BOB_PHONE, U0CAROL: CAROL_PHONE };
const POLICIES = { default: "U0ALICE", bob: "U0BOB", carol: "U0CAROL" };
const CONFIG = `${TEST_CONFIG_YAML}
people:
${Object.entries(PEOPLE)
  .map(
    ([user, phone]) => `  ${user}:
    contact_methods:
      - { id: phone, type: sms, number: "${phone}" }
    notification_rules:
      - { method: slack, after: 0m }
      - { method: phone, after: 1m }`,
  )
  .join("\n")}
escalation_policies:
${Object.entries(POLICIES)
  .map(([name, user]) => `  ${name}:\n    steps:\n      - { notify: [{ user: ${user} }], ack_timeout: 30m }`)
  .join("\n")}
severity_policies: { P1: default, P2: bob, P3: carol }
`;
const MINUTE = 60_000;

let h: PagingHarness;
beforeAll(async () => {
  h = await startPagingHarness(CONFIG);
});
afterAll(async () => h?.stop());

/** The SMS deliveries of the pages of `ids`. */
async function phoneDeliveries(ids: readonly number[]): Promise<PageDelivery[]> {
  return (await Promise.all(ids.map((id) => listDeliveries(h.db.pool, id))))
    .flat()
    .filter((d) => d.methodId === "phone");
}

/** Moves Firebreak's clock to just after the last of `deliveries` falls due. */
function untilAllDue(deliveries: readonly PageDelivery[]): void {
  const due = Math.max(...deliveries.map((d) => d.dueAt.getTime()));
  h.clock.offsetMs += due + 1 - h.clock.now().getTime();
}

describe("an SMS bundle whose sender never heard back", () => {
  it("is settled as one message with the provider: the pages it carried are not sent again one by one", async () => {
    // Firebreak's clock two minutes behind the fakes': when it asks Twilio what it took since
    // the claim, Twilio's own times (real ones) are after it, as they would be.
    h.clock.offsetMs = -2 * MINUTE;
    const ids = [await h.declare("P1 Disk full A"), await h.declare("P1 Disk full B")];
    const sms = () => phoneDeliveries(ids);
    await eventually(async () => (await sms()).length === 2, "fan-out");
    // Both SMS fall due; one look takes them as one message. Twilio takes it, but its answer
    // never comes: the sender is as good as dead (its call gives up only after the timeout).
    untilAllDue(await sms());
    h.twilio.failNext("Messages", { kind: "hang" });
    const first = (await sms()).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0]!;
    const sending = processDelivery(h.runtime.paging, first.id, h.clock.now());
    const toAlice = () => h.twilio.messages.filter((m) => m.direction === "outbound-api" && m.to === PHONE);
    await eventually(() => toAlice().length === 1, "the bundle taken by Twilio");
    expect(toAlice()[0]!.body).toMatch(/^Firebreak: 2 incidents need you/);
    const claimed = await sms();
    const mate = claimed.find((d) => d.id !== first.id)!;
    expect(mate.bundledInto).toBe(first.id);
    // The claim's lease runs out: whoever looks next finds both in doubt, the page carried first.
    h.clock.offsetMs += MINUTE + 1_000;
    await processDelivery(h.runtime.paging, mate.id, h.clock.now());
    await processDelivery(h.runtime.paging, first.id, h.clock.now());
    await eventually(
      async () => (await sms()).every((d) => d.status === "delivered"),
      "both SMS recorded as delivered",
      15_000,
    );
    expect(toAlice()).toHaveLength(1);
    expect((await sms()).map((d) => d.providerRef)).toEqual([toAlice()[0]!.sid, toAlice()[0]!.sid]);
    // The sender's answer never came; when it gives up, the bundle is settled and not its to record.
    expect(await sending).toEqual({ kind: "inactive" });
    expect(toAlice()).toHaveLength(1);
    for (const id of ids)
      expect((await listTimeline(h.db.pool, id)).filter((e) => e.kind.includes("dead_letter"))).toEqual([]);
  });

  it("two workers looking at once at SMS due to one number send one message carrying both", async () => {
    const ids = [await h.declare("P2 Queue stuck A"), await h.declare("P2 Queue stuck B")];
    const sms = () => phoneDeliveries(ids);
    await eventually(async () => (await sms()).length === 2, "fan-out");
    untilAllDue(await sms());
    // Both looks arrive while a third send to the number holds it; then it lets go.
    const [a, b] = await sms();
    const looks = await withTransaction(h.db.pool, async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`fb-contact:sms:${BOB_PHONE}`]);
      const started = [a!, b!].map((d) => processDelivery(h.runtime.paging, d.id, h.clock.now()));
      await eventually(
        async () =>
          (
            await h.db.pool.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event = 'advisory'
                  AND query LIKE 'SELECT pg_advisory_xact_lock(hashtext($1))%'`,
            )
          ).rows[0]!.n >= 2,
        "both looks waiting for the number",
      );
      return started;
    });
    const outcomes = (await Promise.all(looks)).map((o) => o.kind).sort();
    expect(outcomes).toEqual(["delivered", "wait"]);
    const toBob = h.twilio.messages.filter((m) => m.direction === "outbound-api" && m.to === BOB_PHONE);
    expect(toBob).toHaveLength(1);
    expect(toBob[0]!.body).toMatch(/^Firebreak: 2 incidents need you/);
    expect((await sms()).map((d) => d.status)).toEqual(["delivered", "delivered"]);
  });
});

describe("an SMS whose send timed out", () => {
  it("is looked for at Twilio before it counts as failed: taken there, it is recorded as sent and not sent again", async () => {
    h.clock.offsetMs = -2 * MINUTE;
    const id = await h.declare("P3 Cache cold");
    const sms = () => phoneDeliveries([id]);
    await eventually(async () => (await sms()).length === 1, "fan-out");
    untilAllDue(await sms());
    // Twilio takes the message, but its answer never comes: the client gives up on its timeout.
    h.twilio.failNext("Messages", { kind: "hang" });
    const [delivery] = await sms();
    const outcome = await processDelivery(h.runtime.paging, delivery!.id, h.clock.now());
    const toCarol = h.twilio.messages.filter((m) => m.direction === "outbound-api" && m.to === CAROL_PHONE);
    expect(toCarol).toHaveLength(1);
    expect(outcome.kind).toBe("delivered");
    const [after] = await sms();
    expect(after).toMatchObject({ status: "delivered", providerRef: toCarol[0]!.sid, attempts: 1 });
    // A later look (a timer, the reconciler) finds nothing left to send.
    expect(await processDelivery(h.runtime.paging, delivery!.id, h.clock.now())).toEqual({
      kind: "inactive",
    });
    expect(
      h.twilio.messages.filter((m) => m.direction === "outbound-api" && m.to === CAROL_PHONE),
    ).toHaveLength(1);
  }, 40_000);
});
