import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toAlertNotification } from "../../src/alerts/notification.js";
import { parseAlertmanagerWebhook, WEBHOOK_LIMITS } from "../../src/alerts/alertmanager-payload.js";
import { FirebreakError } from "../../src/core/errors.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/alertmanager");

interface Captured {
  request: { headers: Record<string, string> };
  body: Record<string, unknown>;
}

function fixture(name: string): Captured {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Captured;
}

function body(): Record<string, unknown> {
  return structuredClone(fixture("firing-single-critical").body);
}

function rejection(json: unknown): FirebreakError {
  try {
    parseAlertmanagerWebhook(json);
  } catch (err) {
    expect(err).toBeInstanceOf(FirebreakError);
    return err as FirebreakError;
  }
  throw new Error("expected the payload to be rejected");
}

describe("parsing what Alertmanager 0.25 really sends", () => {
  it.each(["firing-single-critical", "firing-group-truncated", "resolved-single"])("accepts %s", (name) => {
    const parsed = parseAlertmanagerWebhook(fixture(name).body);
    expect(parsed.version).toBe("4");
    expect(parsed.alerts.length).toBeGreaterThan(0);
  });

  it("keeps the truncated count so nobody mistakes a partial list for the whole group", () => {
    const parsed = parseAlertmanagerWebhook(fixture("firing-group-truncated").body);
    expect(parsed.alerts).toHaveLength(5);
    expect(parsed.truncatedAlerts).toBe(2);
  });

  it("turns Go's zero endsAt of a firing alert into null and keeps a resolved alert's end", () => {
    const at = new Date("2026-11-21T10:22:00Z");
    const firing = toAlertNotification(parseAlertmanagerWebhook(fixture("firing-single-critical").body), at);
    expect(firing.alerts[0]!.endsAt).toBeNull();
    expect(firing.alerts[0]!.startsAt.toISOString()).toBe("2026-11-21T10:21:03.000Z");
    expect(firing.receivedAt).toBe(at);
    const resolved = toAlertNotification(parseAlertmanagerWebhook(fixture("resolved-single").body), at);
    expect(resolved.alerts[0]!.endsAt?.toISOString()).toBe("2026-11-21T10:21:11.000Z");
    expect(resolved.status).toBe("resolved");
  });

  it("tolerates fields a newer Alertmanager adds", () => {
    const b = body();
    b.newField = { anything: true };
    (b.alerts as Record<string, unknown>[])[0]!.silencedBy = ["abc"];
    expect(() => parseAlertmanagerWebhook(b)).not.toThrow();
  });

  it("accepts nanosecond timestamps with zones", () => {
    const b = body();
    (b.alerts as Record<string, unknown>[])[0]!.startsAt = "2026-11-21T10:21:03.123456789+02:00";
    const n = toAlertNotification(parseAlertmanagerWebhook(b), new Date());
    expect(n.alerts[0]!.startsAt.toISOString()).toBe("2026-11-21T08:21:03.123Z");
  });

  it("reads a missing truncatedAlerts (older senders) as zero", () => {
    const b = body();
    delete b.truncatedAlerts;
    expect(parseAlertmanagerWebhook(b).truncatedAlerts).toBe(0);
  });
});

describe("refusing malformed or hostile payloads, naming where", () => {
  const alert0 = (b: Record<string, unknown>) => (b.alerts as Record<string, unknown>[])[0]!;

  it.each<[string, (b: Record<string, unknown>) => void, string]>([
    [
      "labels that are not an object",
      (b) => (alert0(b).labels = "x"),
      "alerts[0].labels: expected object, got string",
    ],
    [
      "labels given as an array",
      (b) => (alert0(b).labels = ["a"]),
      "alerts[0].labels: expected object, got array",
    ],
    [
      "a label value that is a number",
      (b) => (alert0(b).labels = { severity: 1 }),
      "alerts[0].labels.severity: expected string, got number",
    ],
    [
      "an unknown status",
      (b) => (alert0(b).status = "pending"),
      'alerts[0].status: expected "firing" or "resolved"',
    ],
    ["another version", (b) => (b.version = "3"), 'version: expected "4"'],
    ["a missing groupKey", (b) => delete b.groupKey, "groupKey: required"],
    [
      "a timestamp that is not RFC 3339",
      (b) => (alert0(b).startsAt = "yesterday"),
      "alerts[0].startsAt: expected an RFC 3339 timestamp",
    ],
    [
      "a fingerprint that is not hexadecimal",
      (b) => (alert0(b).fingerprint = "../../etc"),
      "alerts[0].fingerprint",
    ],
    ["a negative truncated count", (b) => (b.truncatedAlerts = -1), "truncatedAlerts: too small"],
    ["a fractional truncated count", (b) => (b.truncatedAlerts = 1.5), "truncatedAlerts: expected int"],
    ["alerts that are not a list", (b) => (b.alerts = {}), "alerts: expected array, got object"],
    [
      "a __proto__ label",
      (b) => (alert0(b).labels = JSON.parse('{"__proto__": "x"}') as unknown),
      "alerts[0].labels.__proto__: invalid name (reserved name)",
    ],
  ])("refuses %s", (_what, spoil, message) => {
    const b = body();
    spoil(b);
    const err = rejection(b);
    expect(err.code).toBe("input_invalid");
    expect(err.message).toContain(message);
  });

  it.each([null, "[]", 42, []])("refuses a body that is not an object (%j)", (json) => {
    expect(rejection(json).message).toContain("(body): expected object");
  });

  it("refuses more than the alert cap", () => {
    const b = body();
    const one = alert0(b);
    b.alerts = Array.from({ length: WEBHOOK_LIMITS.maxAlerts + 1 }, () => one);
    expect(rejection(b).message).toContain(`alerts: too many items (at most ${WEBHOOK_LIMITS.maxAlerts})`);
  });

  it("refuses a label value over 8 KiB without echoing it", () => {
    const b = body();
    const huge = "A".repeat(WEBHOOK_LIMITS.maxValueLength + 1);
    alert0(b).annotations = { description: huge };
    const err = rejection(b);
    expect(err.message).toContain("alerts[0].annotations.description: too long");
    expect(err.message).not.toContain("AAAA");
  });

  it("refuses a label set with too many entries", () => {
    const b = body();
    alert0(b).labels = Object.fromEntries(
      Array.from({ length: WEBHOOK_LIMITS.maxEntries + 1 }, (_, i) => [`l${i}`, "v"]),
    );
    expect(rejection(b).message).toContain(`alerts[0].labels: at most ${WEBHOOK_LIMITS.maxEntries} entries`);
  });

  it("keeps an absurdly long label name out of the message", () => {
    const b = body();
    alert0(b).labels = { ["n".repeat(5000)]: "v" };
    const err = rejection(b);
    expect(err.message.length).toBeLessThan(300);
  });
});
