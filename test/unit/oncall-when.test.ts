import { describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import { formatDuration } from "../../src/core/duration.js";
import { MAX_OVERRIDE_MS, resolveOverrideWindow } from "../../src/core/oncall/override-window.js";
import { parseWhen, parseWhenSpec } from "../../src/core/oncall/when.js";

// Saturday 2026-11-21, 11:00 in Berlin (CET, UTC+1).
const now = new Date("2026-11-21T10:00:00Z");
const berlin = "Europe/Berlin";
const at = (text: string, zone = berlin) => parseWhen(text, now, zone).toISOString();

describe("reading a time typed in Slack", () => {
  it.each([
    ["18:00", "2026-11-21T17:00:00.000Z", "later today"],
    ["09:00", "2026-11-22T08:00:00.000Z", "already past today, so tomorrow"],
    ["9pm", "2026-11-21T20:00:00.000Z", "12-hour clock"],
    ["12am", "2026-11-21T23:00:00.000Z", "midnight, next"],
    ["12pm", "2026-11-21T11:00:00.000Z", "noon today"],
    ["today 09:00", "2026-11-21T08:00:00.000Z", "today even when past"],
    ["tomorrow 09:00", "2026-11-22T08:00:00.000Z", "tomorrow"],
    ["Tomorrow at 9:30", "2026-11-22T08:30:00.000Z", "with 'at' and capitals"],
    ["mon 08:30", "2026-11-23T07:30:00.000Z", "the coming Monday"],
    ["saturday 10:00", "2026-11-28T09:00:00.000Z", "today's weekday, but the time has passed"],
    ["sat 12:00", "2026-11-21T11:00:00.000Z", "today's weekday, still ahead"],
    ["2026-11-22 14:00", "2026-11-22T13:00:00.000Z", "a local date and time"],
    ["2026-11-22", "2026-11-21T23:00:00.000Z", "a date alone means its midnight"],
    ["2026-07-01 14:00", "2026-07-01T12:00:00.000Z", "summer time applies in July"],
    ["+3h", "2026-11-21T13:00:00.000Z", "relative"],
    ["in 90m", "2026-11-21T11:30:00.000Z", "relative, in words"],
    ["now", "2026-11-21T10:00:00.000Z", "now"],
    ["2026-11-22T14:00Z", "2026-11-22T14:00:00.000Z", "ISO in UTC"],
    ["2026-11-22T14:00:00+05:30", "2026-11-22T08:30:00.000Z", "ISO with an offset ignores the zone"],
  ])("%s → %s (%s)", (text, expected) => {
    expect(at(text)).toBe(expected);
  });

  it("reads local times in the zone it is given", () => {
    expect(at("2026-11-22 14:00", "America/New_York")).toBe("2026-11-22T19:00:00.000Z");
  });

  it("places a local time skipped by spring-forward at the jump, and a doubled one at its first occurrence", () => {
    expect(at("2026-03-08 02:30", "America/New_York")).toBe("2026-03-08T07:00:00.000Z");
    expect(at("2026-11-01 01:30", "America/New_York")).toBe("2026-11-01T05:30:00.000Z");
  });

  it.each([
    ["", /time is missing/],
    ["tomorrow", /what time tomorrow/],
    ["25:00", /Can't read "25:00"/],
    ["2026-02-30 10:00", /Can't read/],
    ["next week", /Can't read/],
    ["+3x", /Can't read "\+3x"/],
    ["13pm", /Can't read/],
  ])("refuses %j and shows how to write a time", (text, message) => {
    const error = (() => {
      try {
        parseWhenSpec(text);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FirebreakError);
    expect((error as FirebreakError).code).toBe("input_invalid");
    expect((error as FirebreakError).message).toMatch(message);
    if (text !== "tomorrow") expect((error as FirebreakError).message).toContain("tomorrow 09:00");
  });
});

describe("override windows asked for in Slack", () => {
  it("run from now for a duration", () => {
    const window = resolveOverrideWindow({ kind: "for", ms: 4 * 3_600_000 }, now, berlin);
    expect(window).toEqual({ from: now, to: new Date("2026-11-21T14:00:00Z") });
  });

  it("run from now until a local time", () => {
    const window = resolveOverrideWindow(
      { kind: "until", when: parseWhenSpec("tomorrow 09:00") },
      now,
      berlin,
    );
    expect(window.to).toEqual(new Date("2026-11-22T08:00:00Z"));
  });

  it("refuse an end in the past", () => {
    expect(() =>
      resolveOverrideWindow({ kind: "until", when: parseWhenSpec("today 09:00") }, now, berlin),
    ).toThrow(/already passed/);
  });

  it("refuse to last longer than a month", () => {
    expect(() => resolveOverrideWindow({ kind: "for", ms: MAX_OVERRIDE_MS + 60_000 }, now, berlin)).toThrow(
      /at most 31d/,
    );
  });
});

describe("writing durations for timelines", () => {
  it.each([
    [0, "0m"],
    [15 * 60_000, "15m"],
    [105 * 60_000, "1h45m"],
    [26 * 3_600_000, "1d2h"],
    [59_999, "0m"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
