import { describe, expect, it } from "vitest";
import { effectivePerson, maskTarget } from "../../src/core/notify/contact-methods.js";
import type { ContactMethod, ContactMethodType } from "../../src/core/notify/contact-methods.js";
import { planDeliveries } from "../../src/core/notify/plan-deliveries.js";
import { nextAllowedSend } from "../../src/core/notify/rate-limit.js";
import {
  pickAckCode,
  signAckToken,
  signCalendarToken,
  verifyAckToken,
  verifyCalendarToken,
} from "../../src/core/notify/signed-tokens.js";

const T0 = new Date("2026-11-23T03:00:00Z");
const ALL = new Set<ContactMethodType>(["email", "sms", "voice", "ntfy", "webhook"]);
const method = (id: string, type: ContactMethodType, target: string, verified = true): ContactMethod => ({
  id,
  type,
  target,
  source: "config",
  verified,
});

const alice = {
  methods: [
    method("mail", "email", "a@example.com"),
    method("phone", "sms", "+4915112345678"),
    method("call", "voice", "+4915112345678"),
  ],
  rules: [
    { methodId: "slack", afterMs: 0 },
    { methodId: "mail", afterMs: 0 },
    { methodId: "phone", afterMs: 60_000 },
    { methodId: "call", afterMs: 180_000 },
  ],
};

describe("planning a page's deliveries", () => {
  it("follows the person's rules, each after its delay", () => {
    const { deliveries, skipped } = planDeliveries(effectivePerson("U0ALICE", alice, undefined), T0, {
      available: ALL,
      pageWebhook: true,
    });
    expect(skipped).toEqual([]);
    expect(deliveries.map((d) => [d.methodId, d.type, d.dueAt.getTime() - T0.getTime()])).toEqual([
      ["slack", "slack", 0],
      ["mail", "email", 0],
      ["phone", "sms", 60_000],
      ["call", "voice", 180_000],
    ]);
  });

  it("gives a person without rules the Slack DM at once, and the install's page webhook as today", () => {
    const plan = (pageWebhook: boolean) =>
      planDeliveries(effectivePerson("U0BOB", undefined, undefined), T0, {
        available: ALL,
        pageWebhook,
      }).deliveries.map((d) => [d.methodId, d.type]);
    expect(plan(false)).toEqual([["slack", "slack"]]);
    expect(plan(true)).toEqual([
      ["slack", "slack"],
      ["page_webhook", "webhook"],
    ]);
  });

  it("skips unverified methods and methods whose provider is not set up, saying why", () => {
    const person = effectivePerson("U0ALICE", alice, {
      methods: [method("pager", "ntfy", "alice", false)],
      rules: [{ methodId: "pager", afterMs: 0 }],
    });
    const { deliveries, skipped } = planDeliveries(person, T0, {
      available: new Set(["email"]),
      pageWebhook: false,
    });
    expect(deliveries.map((d) => d.methodId)).toEqual(["slack", "mail"]);
    expect(skipped).toEqual([
      { methodId: "phone", reason: expect.stringContaining("TWILIO_ACCOUNT_SID") },
      { methodId: "call", reason: expect.stringContaining("TWILIO_*") },
      { methodId: "pager", reason: "not verified yet" },
    ]);
  });

  it("lets a person's own rules replace or switch off those in config", () => {
    const person = effectivePerson("U0ALICE", alice, {
      methods: [],
      rules: [
        { methodId: "phone", afterMs: 120_000 },
        { methodId: "call", afterMs: null },
      ],
    });
    expect(person.rules).toEqual([
      { methodId: "slack", afterMs: 0 },
      { methodId: "mail", afterMs: 0 },
      { methodId: "phone", afterMs: 120_000 },
    ]);
  });
});

describe("the per-number rate limit", () => {
  it("allows one SMS, call or email a minute to a target; push and Slack are not limited", () => {
    const last = new Date(T0.getTime() - 20_000);
    expect(nextAllowedSend("sms", last, T0)).toEqual(new Date(T0.getTime() + 40_000));
    expect(nextAllowedSend("voice", null, T0)).toEqual(T0);
    expect(nextAllowedSend("email", new Date(T0.getTime() - 60_000), T0)).toEqual(T0);
    expect(nextAllowedSend("ntfy", last, T0)).toEqual(T0);
  });
});

describe("ack links", () => {
  const key = Buffer.alloc(32, 7);
  const claims = {
    pageId: 4711,
    via: "email" as const,
    expiresAt: new Date(T0.getTime() + 3_600_000),
    nonce: "n0nce-abc123",
  };

  it("round-trip until they expire", () => {
    const token = signAckToken(key, claims);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(verifyAckToken(key, token, T0)).toEqual({ ok: true, claims });
    expect(verifyAckToken(key, token, claims.expiresAt)).toEqual({ ok: false, problem: "expired" });
  });

  it("are refused when altered or signed with another key", () => {
    const token = signAckToken(key, claims);
    const other = signAckToken(key, { ...claims, pageId: 4712 });
    const forged = [...other.split(".").slice(0, 5), token.split(".")[5]].join(".");
    expect(verifyAckToken(key, forged, T0)).toEqual({ ok: false, problem: "bad_signature" });
    expect(verifyAckToken(Buffer.alloc(32, 8), token, T0)).toEqual({ ok: false, problem: "bad_signature" });
    expect(verifyAckToken(key, "nonsense", T0)).toEqual({ ok: false, problem: "malformed" });
  });

  it("calendar tokens name a person or a schedule, and nothing else verifies", () => {
    const t = signCalendarToken(key, { kind: "person", userId: "U0ALICE" });
    expect(verifyCalendarToken(key, t)).toEqual({ kind: "person", userId: "U0ALICE" });
    expect(
      verifyCalendarToken(key, signCalendarToken(key, { kind: "schedule", schedule: "primary" })),
    ).toEqual({
      kind: "schedule",
      schedule: "primary",
    });
    expect(verifyCalendarToken(key, t.replace(/^p/, "s"))).toBeNull();
    expect(verifyCalendarToken(Buffer.alloc(32, 1), t)).toBeNull();
  });
});

describe("ack codes", () => {
  it("are four digits, never one of the person's open codes", () => {
    let i = 0;
    const sequence = [0.1, 0.1, 0.5];
    const code = pickAckCode(new Set(["1900"]), () => sequence[i++]!);
    expect(code).toBe("5500");
  });

  it("come in the length asked for (five digits for a crowded person), and run out only when every code of that length is taken", () => {
    const all = new Set(Array.from({ length: 9000 }, (_, n) => String(1000 + n)));
    expect(() => pickAckCode(all, () => 0.5)).toThrow(/every 4-digit ack code is taken/);
    expect(pickAckCode(all, () => 0.5, 5)).toBe("55000");
  });
});

describe("showing a contact method to others", () => {
  it("never shows a number or address in full", () => {
    expect(maskTarget("sms", "+4915112345678")).toBe("+49••••••5678");
    expect(maskTarget("email", "alice@example.com")).toBe("a•••@example.com");
  });
});
