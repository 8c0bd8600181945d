import { describe, expect, it } from "vitest";
import { gsm7Length, isGsm7, toGsm7 } from "../../src/core/notify/gsm7.js";
import {
  SMS_MAX_SEPTETS,
  emailMessage,
  ntfyMessage,
  parseSmsReply,
  smsReplyText,
  smsText,
  voiceScript,
} from "../../src/core/notify/page-messages.js";
import type { PageSummary } from "../../src/core/notify/page-messages.js";

const page = (over: Partial<PageSummary> = {}): PageSummary => ({
  incidentId: 12,
  severity: "P1",
  title: "Checkout is failing",
  ackCode: "4821",
  ...over,
});

describe("GSM-7", () => {
  it("counts extension characters as two septets", () => {
    expect(gsm7Length("abc")).toBe(3);
    expect(gsm7Length("[x]€")).toBe(7);
  });

  it("maps what people paste into titles onto the alphabet", () => {
    const out = toGsm7("“Zahlungen” – łódź…\nnew line 🔥 `code`");
    expect(isGsm7(out)).toBe(true);
    expect(out).toBe(`"Zahlungen" - lodz... new line ? 'code'`);
    expect(toGsm7("Café à Zürich Ñ")).toBe("Café à Zürich Ñ");
  });
});

describe("an SMS page", () => {
  it("carries the incident number, severity, title and ack code", () => {
    const sms = smsText([page()]);
    expect(sms).toBe(
      "Firebreak: #12 P1 Checkout is failing. Reply ACK 4821 to acknowledge, ESC 4821 to escalate.",
    );
  });

  it("stays within one 160-septet GSM-7 segment whatever the title", () => {
    for (const title of [
      "x".repeat(400),
      "€".repeat(200),
      "🔥 Datenbank „primär“ antwortet nicht — alle Pods ".repeat(5),
    ]) {
      const sms = smsText([page({ title, incidentId: 123456 })]);
      expect(isGsm7(sms)).toBe(true);
      expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
      expect(sms).toContain("#123456 P1");
      expect(sms).toContain("ACK 4821");
    }
  });

  it("bundles pages queued behind the rate limit: '3 incidents need you' with each code", () => {
    const sms = smsText([
      page(),
      page({
        incidentId: 13,
        severity: "P2",
        title: "Search is slow for everyone in Europe",
        ackCode: "1234",
      }),
      page({ incidentId: 14, severity: "P3", title: "Disk 80% on db-7", ackCode: "5555" }),
    ]);
    expect(sms.startsWith("Firebreak: 3 incidents need you: #12 P1 ")).toBe(true);
    for (const part of ["(4821)", "#13 P2", "(1234)", "#14 P3", "(5555)"]) expect(sms).toContain(part);
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
  });

  it("names as many of a large bundle as fit, then how many more", () => {
    const pages = Array.from({ length: 10 }, (_, i) =>
      page({ incidentId: 1000 + i, title: "A long title that will not fit", ackCode: String(2000 + i) }),
    );
    const sms = smsText(pages);
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
    expect(sms).toMatch(/^Firebreak: 10 incidents need you: #1000 P1 \(2000\), .*, \+\d+ more\./);
  });
});

describe("SMS replies", () => {
  it.each([
    ["ack 4821", { kind: "ack", code: "4821" }],
    ["ACK 4821.", { kind: "ack", code: "4821" }],
    ["  Ack #4821 ", { kind: "ack", code: "4821" }],
    ["1", { kind: "ack" }],
    ["ack", { kind: "ack" }],
    ["4821", { kind: "ack", code: "4821" }],
    ["esc 4821", { kind: "escalate", code: "4821" }],
    ["ESC", { kind: "escalate" }],
    ["2", { kind: "escalate" }],
    ["who is this?", { kind: "unknown" }],
    // Five and six digits: the codes of a person with more than 9,000 pages open.
    ["ack 48211", { kind: "ack", code: "48211" }],
    ["esc 482113", { kind: "escalate", code: "482113" }],
    ["ack 4821134", { kind: "unknown" }],
  ])("reads %j", (body, expected) => {
    expect(parseSmsReply(body)).toEqual(expected);
  });

  it("answers in GSM-7 within one segment", () => {
    const reply = smsReplyText({ kind: "acknowledged", incidentIds: [12, 13] });
    expect(reply).toBe("Acknowledged #12, #13. Thanks.");
    expect(isGsm7(smsReplyText({ kind: "help" }))).toBe(true);
  });
});

describe("a paging call", () => {
  it("reads the page and says which keys do what", () => {
    const s = voiceScript([page()]);
    expect(s.message).toBe(
      "This is Firebreak. You are paged. Incident 12, severity P 1: Checkout is failing. Press 1 to acknowledge. Press 2 to escalate to the next step.",
    );
    expect(voiceScript([page(), page({ incidentId: 13 })]).message).toContain(
      "2 incidents need you. Incident 12, severity P 1: Checkout is failing. Incident 13",
    );
  });
});

describe("an email page", () => {
  it("has the summary and the links, escaped in HTML", () => {
    const m = emailMessage([
      page({
        title: "<script>alert(1)</script> & more",
        cause: "Escalation policy default, step 1 of 2",
        ackUrl: "https://fb.example/ack/a1.x?y=1&z=2",
        incidentUrl: "https://fb.example/incidents/12",
      }),
    ]);
    expect(m.subject).toBe("[Firebreak] #12 P1: <script>alert(1)</script> & more");
    expect(m.text).toContain("Acknowledge: https://fb.example/ack/a1.x?y=1&z=2");
    expect(m.text).toContain("Incident: https://fb.example/incidents/12");
    expect(m.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain('href="https://fb.example/ack/a1.x?y=1&amp;z=2"');
  });

  it("without a public URL says how to acknowledge instead of linking", () => {
    expect(emailMessage([page()]).text).toContain("reply to the SMS with ACK 4821");
  });

  it("bundles under one subject", () => {
    expect(emailMessage([page(), page({ incidentId: 13 })]).subject).toBe("[Firebreak] 2 incidents need you");
  });
});

describe("a push through ntfy", () => {
  it("is priority 5 with an Acknowledge button that POSTs the link", () => {
    const m = ntfyMessage(
      page({ ackUrl: "https://fb.example/ack/t", incidentUrl: "https://fb.example/incidents/12" }),
    );
    expect(m).toMatchObject({
      title: "#12 P1: Checkout is failing",
      priority: 5,
      click: "https://fb.example/incidents/12",
      actions: [
        {
          action: "http",
          label: "Acknowledge",
          url: "https://fb.example/ack/t",
          method: "POST",
          clear: true,
        },
      ],
    });
    expect(ntfyMessage(page()).actions).toEqual([]);
  });
});
