import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getIncident } from "../../src/store/incidents/incidents.js";
import { listDeliveries } from "../../src/store/deliveries/page-deliveries.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually } from "../support/harness.js";
import { PUBLIC_URL, TWILIO_FROM, startPagingHarness } from "../support/paging-harness.js";
import type { PagingHarness } from "../support/paging-harness.js";

const ALICE_PHONE = "+4915112345678";
const CONFIG = `${TEST_CONFIG_YAML}
people:
  U0ALICE:
    name: Alice Archer
    time_zone: Europe/Berlin
    contact_methods:
      - { id: mail, type: email, address: alice@example.com }
      - { id: phone, type: sms, number: "${ALICE_PHONE}" }
      - { id: call, type: voice, number: "${ALICE_PHONE}" }
      - { id: push, type: ntfy, topic: alice-pages }
    notification_rules:
      - { method: slack, after: 0m }
      - { method: mail, after: 0m }
      - { method: push, after: 0m }
      - { method: phone, after: 1m }
      - { method: call, after: 3m }
escalation_policies:
  default:
    steps:
      - { notify: [{ user: U0ALICE }], ack_timeout: 15m }
      - { notify: [{ user: U0BOB }], ack_timeout: 15m }
severity_policies: { P1: default, P2: default }
`;

let h: PagingHarness;
beforeAll(async () => {
  h = await startPagingHarness(CONFIG);
});
afterAll(async () => h?.stop());
// One SMS, call or email a minute per number or address: each test starts past the last one's.
beforeEach(async () => h.tick(MINUTE));

const MINUTE = 60_000;
const smsTo = (number: string, id: number) =>
  h.twilio.messages.filter(
    (m) => m.direction === "outbound-api" && m.to === number && m.body.includes(`#${id} `),
  );
const mailsAbout = (id: number) => h.smtp.mails.filter((m) => m.subject.includes(`#${id} `));
const ackCodeIn = (text: string) => /ACK (\d{4})/.exec(text)?.[1] ?? /Ack code:? (\d{4})/.exec(text)?.[1];

async function acknowledgedVia(id: number): Promise<unknown> {
  const ack = (await listTimeline(h.db.pool, id)).find((e) => e.kind === "incident.acknowledged");
  return (ack?.data as { via?: string } | undefined)?.via;
}

describe("paging through each person's contact methods", () => {
  it("declaring a P1 DMs and emails at once, pushes at priority 5, and sends the SMS only after the rule's delay", async () => {
    const id = await h.declare("P1 Checkout is failing");
    await eventually(
      () =>
        h.emulator
          .messages(h.emulator.dm("U0ALICE")?.id ?? "none")
          .find((m) => m.text.includes(`incident #${id}`)),
      "the Slack DM",
    );
    const mail = await eventually(() => mailsAbout(id)[0], "the email");
    expect(mail.envelopeTo).toEqual(["alice@example.com"]);
    expect(mail.subject).toBe(`[Firebreak] #${id} P1: Checkout is failing`);
    expect(mail.text).toMatch(new RegExp(`Acknowledge: ${PUBLIC_URL}/ack/\\S+`));
    const push = await eventually(
      () => h.ntfy.messages.find((m) => m.title?.startsWith(`#${id} `)),
      "the push",
    );
    expect(push).toMatchObject({
      topic: "alice-pages",
      priority: 5,
      actions: [{ label: "Acknowledge", method: "POST" }],
    });
    expect(smsTo(ALICE_PHONE, id)).toEqual([]);

    await h.tick(MINUTE);
    const [sms] = smsTo(ALICE_PHONE, id);
    expect(sms!.from).toBe(TWILIO_FROM);
    expect(sms!.body).toMatch(new RegExp(`^Firebreak: #${id} P1 Checkout is failing\\. Reply ACK \\d{4}`));
    expect(sms!.body.length).toBeLessThanOrEqual(160);
    expect(ackCodeIn(sms!.body)).toBe(ackCodeIn(mail.text));
    const deliveries = await listDeliveries(h.db.pool, id);
    expect(deliveries.map((d) => [d.methodId, d.status])).toEqual([
      ["slack", "delivered"],
      ["mail", "delivered"],
      ["push", "delivered"],
      ["phone", "delivered"],
      ["call", "pending"],
    ]);
  });

  it("acknowledging by SMS reply acknowledges the incident (via sms) and stops the call that was due", async () => {
    const id = await h.declare("P1 Payments are down");
    await eventually(() => mailsAbout(id)[0], "the email");
    await h.tick(MINUTE);
    const sms = smsTo(ALICE_PHONE, id)[0]!;
    const reply = await h.twilio.replySms({ from: ALICE_PHONE, body: `ack ${ackCodeIn(sms.body)}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain(`<Message>Acknowledged #${id}. Thanks.</Message>`);
    const incident = await getIncident(h.db.pool, id);
    expect(incident).toMatchObject({ state: "acknowledged", acknowledgedBy: "U0ALICE" });
    expect(await acknowledgedVia(id)).toBe("sms");

    const callsBefore = h.twilio.calls.length;
    await h.tick(3 * MINUTE);
    expect(h.twilio.calls.length).toBe(callsBefore);
    const call = (await listDeliveries(h.db.pool, id)).find((d) => d.methodId === "call")!;
    expect(call.status).toBe("withdrawn");
    const withdrawn = (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "page.withdrawn");
    expect(withdrawn.map((e) => (e.data as { method: string }).method)).toEqual(["call"]);
  });

  it("an ack link shows a confirm page, acknowledges on POST (via email), and is refused the second time", async () => {
    const id = await h.declare("P2 Search is slow");
    const mail = await eventually(() => mailsAbout(id)[0], "the email");
    const link = h.local(/Acknowledge: (\S+)/.exec(mail.text)![1]!);
    const confirm = await fetch(link);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain(`Incident #${id}`);
    expect(html).toContain('<form method="post"');
    expect((await getIncident(h.db.pool, id))?.state).toBe("declared");

    const first = await fetch(link, { method: "POST" });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Acknowledged. Paging has stopped.");
    expect(await acknowledgedVia(id)).toBe("email");

    const second = await fetch(link, { method: "POST" });
    expect(second.status).toBe(410);
    expect(await second.text()).toContain("The link works once");
    expect((await fetch(link)).status).toBe(410);
    const tampered = link.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect((await fetch(tampered, { method: "POST" })).status).toBe(404);
  });

  it("the ntfy Acknowledge button's POST acknowledges (via link)", async () => {
    const id = await h.declare("P2 Queue backlog");
    const push = await eventually(
      () => h.ntfy.messages.find((m) => m.title?.startsWith(`#${id} `)),
      "the push",
    );
    const action = push.actions![0]!;
    const res = await fetch(h.local(action.url!), { method: action.method });
    expect(res.status).toBe(200);
    expect(await acknowledgedVia(id)).toBe("link");
  });
});

describe("Twilio's signed requests", () => {
  it("a call reads the page and takes keys: 2 escalates to the next step at once", async () => {
    const id = await h.declare("P1 Database on fire");
    await eventually(() => mailsAbout(id)[0], "the email");
    await h.tick(3 * MINUTE);
    const sid = (await listDeliveries(h.db.pool, id)).find((d) => d.methodId === "call")?.providerRef;
    const call = h.twilio.calls.find((c) => c.sid === sid)!;
    expect(call.status).toBe("queued");
    const answered = await h.twilio.answer(call.sid);
    expect(answered.status).toBe(200);
    expect(call.script?.gather?.says.join(" ")).toContain(`Incident ${id}, severity P 1: Database on fire.`);
    const pressed = await h.twilio.press(call.sid, "2");
    expect(pressed.status).toBe(200);
    expect(call.script?.says).toEqual(["Escalated to the next step. Goodbye."]);
    await h.tick(0);
    await eventually(
      () =>
        h.emulator
          .messages(h.emulator.dm("U0BOB")?.id ?? "none")
          .find((m) => m.text.includes(`incident #${id}`)),
      "the next step's DM to Bob",
    );
    const kinds = (await listTimeline(h.db.pool, id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["page.declined", "escalation.escalated"]));
    const declined = (await listTimeline(h.db.pool, id)).find((e) => e.kind === "page.declined");
    expect(declined?.data).toMatchObject({ via: "voice" });
  });

  it("refuses a bad or replayed signature with 403 and changes nothing", async () => {
    const id = await h.declare("P2 Replayed");
    await eventually(() => mailsAbout(id)[0], "the email");
    await h.tick(MINUTE);
    const sms = smsTo(ALICE_PHONE, id)[0]!;
    const code = ackCodeIn(sms.body)!;
    const genuine = await h.twilio.replySms({ from: ALICE_PHONE, body: `esc ${code}` });
    const forged = await h.twilio.replay({ ...genuine, params: { ...genuine.params, Body: `ack ${code}` } });
    expect(forged.status).toBe(403);
    const replayed = await h.twilio.replay(genuine);
    expect(replayed.status).toBe(403);
    const unsigned = await fetch(`${h.url}/twilio/sms`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ From: ALICE_PHONE, Body: `ack ${code}` }).toString(),
    });
    expect(unsigned.status).toBe(403);
    expect((await getIncident(h.db.pool, id))?.state).toBe("declared");
    expect((await listTimeline(h.db.pool, id)).filter((e) => e.kind === "page.declined")).toHaveLength(1);
  });
});
