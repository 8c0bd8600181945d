import { describe, expect, it } from "vitest";
import { matchesAll } from "../../src/core/alerts/label-matcher.js";
import {
  isWindowActive,
  parseAlertsCommand,
  windowEnd,
  windowHolding,
} from "../../src/core/alerts/maintenance.js";
import type { MaintenanceWindow } from "../../src/core/alerts/maintenance.js";
import { formatMatchers, parseMatchers, selectsSomething } from "../../src/core/alerts/matcher-syntax.js";

describe("Alertmanager matcher syntax", () => {
  it("reads quoted and bare values, the four operators, with or without braces and commas", () => {
    const ms = parseMatchers('{alertname="Disk Full", env!=staging, namespace=~"eco.*", pod!~"canary-.*"}');
    expect(ms.map(({ name, operator, value }) => [name, operator, value])).toEqual([
      ["alertname", "=", "Disk Full"],
      ["env", "!=", "staging"],
      ["namespace", "=~", "eco.*"],
      ["pod", "!~", "canary-.*"],
    ]);
    expect(parseMatchers("a=1 b=2").map((m) => m.value)).toEqual(["1", "2"]);
    expect(parseMatchers('msg="say \\"hi\\"\\n\\\\"')[0]!.value).toBe('say "hi"\n\\');
    expect(parseMatchers('empty=""')[0]!.value).toBe("");
  });

  it("matches as Alertmanager does: anchored regular expressions, missing labels as empty", () => {
    const ms = parseMatchers('namespace=~"eco.*", env!="staging"');
    expect(matchesAll({ namespace: "ecommerce" }, ms)).toBe(true);
    expect(matchesAll({ namespace: "my-ecommerce" }, ms)).toBe(false);
    expect(matchesAll({ namespace: "ecommerce", env: "staging" }, ms)).toBe(false);
    expect(matchesAll({ namespace: "eco", env: "prod" }, ms)).toBe(true);
    expect(matchesAll({}, parseMatchers('team=""'))).toBe(true);
  });

  it("writes matchers back so that they read the same", () => {
    const text = formatMatchers(parseMatchers('a=1, b!~"x|y", c="q\\"uote"'));
    expect(text).toBe('a="1", b!~"x|y", c="q\\"uote"');
    expect(formatMatchers(parseMatchers(text))).toBe(text);
  });

  it("refuses broken matchers saying what to fix", () => {
    expect(() => parseMatchers("=x")).toThrow(/Expected a label name/);
    expect(() => parseMatchers("alertname")).toThrow(/needs an operator/);
    expect(() => parseMatchers('a="open')).toThrow(/never closed/);
    expect(() => parseMatchers("{a=1")).toThrow(/never closed/);
    expect(() => parseMatchers("a=~(")).toThrow(/not a valid regular expression/);
    expect(() => parseMatchers("{a=1} b")).toThrow(/Unexpected "b"/);
  });

  it("knows matchers that would select every alert", () => {
    expect(selectsSomething(parseMatchers('a=~".*"'))).toBe(false);
    expect(selectsSomething(parseMatchers('a!="x"'))).toBe(false);
    expect(selectsSomething(parseMatchers('a!="x", b="y"'))).toBe(true);
  });
});

describe("/alerts maintenance", () => {
  it("reads matchers, a duration and a reason (as Slack escapes them)", () => {
    const c = parseAlertsCommand(
      'maintenance namespace=ecommerce, app=~"checkout|cart" for 2h deploy v42 &amp; migrate',
    );
    expect(c).toMatchObject({
      type: "maintenance_start",
      durationMs: 7_200_000,
      reason: "deploy v42 & migrate",
    });
    if (c.type !== "maintenance_start") throw new Error("start");
    expect(formatMatchers(c.matchers)).toBe('namespace="ecommerce", app=~"checkout|cart"');
    expect(parseAlertsCommand("maintenance {env=prod} for 30m")).toMatchObject({
      reason: "",
      durationMs: 1_800_000,
    });
    // "for" as a label name is a matcher, not the keyword.
    expect(parseAlertsCommand("maintenance for=x env=prod for 1h")).toMatchObject({ durationMs: 3_600_000 });
  });

  it("lists and ends windows", () => {
    expect(parseAlertsCommand("maintenance list")).toEqual({ type: "maintenance_list" });
    expect(parseAlertsCommand("maintenance end 7")).toEqual({ type: "maintenance_end", id: 7 });
    expect(parseAlertsCommand("maintenance end #7")).toEqual({ type: "maintenance_end", id: 7 });
    expect(parseAlertsCommand("")).toEqual({ type: "help" });
    expect(parseAlertsCommand("maintenance")).toEqual({ type: "help" });
  });

  it("refuses what would hold back everything, or no duration, or nonsense", () => {
    expect(() => parseAlertsCommand("maintenance for 2h")).toThrow(/Say which alerts/);
    expect(() => parseAlertsCommand('maintenance env=~".*" for 2h')).toThrow(/every alert/);
    expect(() => parseAlertsCommand("maintenance env=prod")).toThrow(/how long/);
    expect(() => parseAlertsCommand("maintenance env=prod for ever")).toThrow(/not a duration/);
    expect(() => parseAlertsCommand("maintenance env=prod for 30d")).toThrow(/1m to 14d/);
    expect(() => parseAlertsCommand("maintenance end seven")).toThrow(/by its id/);
    expect(() => parseAlertsCommand("silence x")).toThrow(/Unknown subcommand/);
  });
});

describe("maintenance windows", () => {
  const w = (
    id: number,
    matchers: string,
    startsAt: string,
    endsAt: string,
    endedAt: string | null = null,
  ): MaintenanceWindow => ({
    id,
    matchers: parseMatchers(matchers),
    startsAt: new Date(startsAt),
    endsAt: new Date(endsAt),
    endedAt: endedAt ? new Date(endedAt) : null,
    reason: "",
    createdBy: "U0ALICE",
  });
  const windows = [
    w(2, "namespace=ecommerce", "2024-05-01T10:00:00Z", "2024-05-01T12:00:00Z"),
    w(1, "app=checkout", "2024-05-01T10:00:00Z", "2024-05-01T12:00:00Z", "2024-05-01T11:00:00Z"),
    w(3, "app=checkout", "2024-05-01T11:30:00Z", "2024-05-01T13:00:00Z"),
  ];
  const now = new Date("2024-05-01T11:15:00Z");

  it("hold back alerts only while active and matching, the oldest window first", () => {
    expect(windowHolding({ namespace: "ecommerce", app: "checkout" }, windows, now)?.id).toBe(2);
    expect(windowHolding({ app: "checkout" }, windows, now)).toBeUndefined();
    expect(windowHolding({ app: "checkout" }, windows, new Date("2024-05-01T11:30:00Z"))?.id).toBe(3);
    expect(
      windowHolding({ namespace: "ecommerce" }, windows, new Date("2024-05-01T12:00:00Z")),
    ).toBeUndefined();
  });

  it("end at their end, or earlier when ended", () => {
    expect(isWindowActive(windows[1]!, new Date("2024-05-01T10:30:00Z"))).toBe(true);
    expect(isWindowActive(windows[1]!, now)).toBe(false);
    expect(windowEnd(windows[1]!)).toEqual(new Date("2024-05-01T11:00:00Z"));
    expect(windowEnd(windows[0]!)).toEqual(new Date("2024-05-01T12:00:00Z"));
  });
});
