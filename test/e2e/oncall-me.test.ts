import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { personShifts } from "../../src/core/oncall/person-shifts.js";
import { sendHandoffNotices } from "../../src/paging/handoff-notices.js";
import { listDeliveries } from "../../src/store/deliveries/page-deliveries.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import { WORKSPACE_CHAIN, listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually } from "../support/harness.js";
import { startPagingHarness } from "../support/paging-harness.js";
import type { PagingHarness } from "../support/paging-harness.js";

const DAVE_PHONE = "+4915177770001";
const CONFIG = `${TEST_CONFIG_YAML}
schedules:
  primary:
    time_zone: Europe/Berlin
    layers:
      - { name: weekly, users: [U0DAVE, U0CAROL], shift: weekly, handoff: "09:00", start: "2026-01-05" }
`;

let h: PagingHarness;
beforeAll(async () => {
  h = await startPagingHarness(CONFIG);
});
afterAll(async () => h?.stop());
beforeEach(async () => h.tick(2 * 60_000));

const MINUTE = 60_000;

/** Runs `/oncall <text>` as `user` and resolves with the ephemeral answer. */
async function oncall(text: string, user = "U0DAVE"): Promise<string> {
  const before = h.emulator.ephemerals(user).length;
  const res = await h.sender.slashCommand({
    command: "/oncall",
    text,
    userId: user,
    channelId: "C0INCIDENTS",
  });
  const inAck = (res.body as { text?: string } | undefined)?.text;
  if (inAck) return inAck;
  const reply = await eventually(() => h.emulator.ephemerals(user).slice(before)[0], `/oncall ${text}`);
  return reply.text;
}

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;

describe("/oncall me: a person's own contact methods", () => {
  it("shows the default (the Slack DM at once) and the person's calendar feed", async () => {
    const me = await oncall("me");
    expect(me).toContain("at once: `slack` (the default");
    expect(me).toMatch(/Your shifts as a calendar\*: https:\/\/firebreak\.example\.test\/calendar\/\S+\.ics/);
  });

  it("adds an SMS number only once the code sent to it is typed back; never shows the number to the record", async () => {
    const added = await oncall("me add sms +49 151 7777 0001");
    expect(added).toContain("a six-digit code to +49••••••0001 (method `sms`)");
    const sms = h.twilio.messages.filter((m) => m.to === DAVE_PHONE).at(-1)!;
    expect(sms.body).toMatch(/^Firebreak: your verification code is \d{6}\./);
    expect(await oncall("me")).toContain("`sms` — SMS +49••••••0001 — waiting for its code");
    const wrong = String((Number(codeIn(sms.body)) + 1) % 1_000_000).padStart(6, "1");
    expect(await oncall(`me verify ${wrong}`)).toContain("That code does not match. 4 tries left.");
    expect(await oncall(`me verify ${codeIn(sms.body)}`)).toContain(
      "`sms` is verified: pages reach you there at once (and by Slack DM, as before)",
    );
    const me = await oncall("me");
    expect(me).toContain("at once: `slack`, `sms`");
    const workspace = await listTimeline(h.db.pool, WORKSPACE_CHAIN);
    const kinds = workspace.map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["oncall.contact_method_added", "oncall.contact_method_verified"]),
    );
    expect(JSON.stringify(workspace)).not.toContain("7777");
  });

  it("follows the person's own rule: the SMS two minutes after the page", async () => {
    expect(await oncall("me rule sms 2m")).toBe("Pages reach you by SMS (`sms`) 2m after a page.");
    const id = await h.declare("P2 Dave's page");
    const incident = await eventually(async () => {
      const i = await getIncident(h.db.pool, id);
      return i?.channelId ? i : null;
    }, "channel");
    await h.sender.slashCommand({
      command: "/incident",
      text: "page <@U0DAVE|dave>",
      userId: "U0BOB",
      channelId: incident.channelId!,
    });
    await eventually(async () => (await listDeliveries(h.db.pool, id)).length === 2, "fan-out");
    await h.tick(MINUTE);
    expect(h.twilio.messages.filter((m) => m.to === DAVE_PHONE && m.body.includes(`#${id} `))).toHaveLength(
      0,
    );
    await h.tick(MINUTE);
    expect(h.twilio.messages.filter((m) => m.to === DAVE_PHONE && m.body.includes(`#${id} `))).toHaveLength(
      1,
    );
  });

  it("sends a test page, at most one a minute to a number", async () => {
    expect(await oncall("me test sms")).toBe("Sent a test page by SMS to +49••••••0001.");
    expect(h.twilio.messages.at(-1)?.body).toContain("Firebreak test page");
    expect(await oncall("me test sms")).toMatch(/less than a minute ago \(one a minute at most\)/);
    expect(await oncall("me test slack")).toBe("Sent you a test page by Slack DM.");
  });

  it("adds an email address the same way, and removes a method", async () => {
    await oncall("me add email dave@example.com");
    const mail = await eventually(
      () => h.smtp.mails.find((m) => m.envelopeTo.includes("dave@example.com")),
      "the code by email",
    );
    expect(mail.subject).toBe("Your Firebreak verification code");
    expect(await oncall(`me verify email ${codeIn(mail.text)}`)).toContain("`email` is verified");
    expect(await oncall("me remove email")).toBe("Removed `email`; it is no longer used for pages.");
    expect(await oncall("me")).not.toContain("`email`");
  });

  it("refuses bad input with the usage, and changes nothing", async () => {
    expect(await oncall("me add sms 0151 7777")).toMatch(
      /is not an E\.164 number: write it with \+ and the country code/,
    );
    expect(await oncall("me remove slack")).toContain("The Slack DM cannot be removed");
    expect(await oncall("me rule fax 1m")).toContain("You have no contact method `fax`");
    expect(await oncall("me verify 123456", "U0CAROL")).toContain("Nothing of yours is waiting for a code");
  });
});

describe("calendar feeds and handoff notices", () => {
  it("serves the person's shifts as iCal from the signed link, and nothing for a forged one", async () => {
    const url = /Your shifts as a calendar\*: (\S+)/.exec(await oncall("me"))![1]!;
    const res = await fetch(h.local(url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/calendar/);
    const ics = await res.text();
    expect(ics).toContain("BEGIN:VCALENDAR");
    expect(ics).toContain("SUMMARY:On call: primary");
    const forged = url.replace(/\.ics$/, "").replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect((await fetch(h.local(`${forged}.ics`))).status).toBe(404);
  });

  it("DMs the person whose shift starts soon, once, in their time", async () => {
    // The next Monday 09:00 Berlin handover, from the rotation itself; look from ten minutes before.
    const now = h.clock.now();
    const next = personShifts(
      h.config.paging.schedules.primary!,
      now,
      new Date(now.getTime() + 8 * 86_400_000),
    ).find((s) => s.start > now)!;
    const before = new Date(next.start.getTime() - 10 * MINUTE);
    expect(await sendHandoffNotices(h.runtime.paging, before)).toBe(1);
    expect(await sendHandoffNotices(h.runtime.paging, before)).toBe(0);
    const incoming = (await listTimeline(h.db.pool, WORKSPACE_CHAIN)).filter(
      (e) => e.kind === "oncall.handoff_notice",
    );
    const user = (incoming.at(-1)!.data as { user: string }).user;
    await eventually(
      () =>
        h.emulator
          .messages(h.emulator.dm(user)?.id ?? "none")
          .find((m) =>
            m.text.includes("You are on call for primary from 09:00 Europe/Berlin until Mon 09:00"),
          ),
      "the handoff DM",
    );
  });
});
