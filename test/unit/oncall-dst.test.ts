import { describe, expect, it } from "vitest";
import { schedulesSchema } from "../../src/config-schema/paging.js";
import { shiftsBetween } from "../../src/core/oncall/shifts-between.js";
import type { Schedule } from "../../src/core/oncall/types.js";
import { whoIsOnCall } from "../../src/core/oncall/who-is-on-call.js";
import { fromWall, toWall } from "../../src/core/oncall/zoned-time.js";

const HOUR = 3_600_000;
const utc = (iso: string) => new Date(iso);

function dailyRotation(timeZone: string, handoff: string): Schedule {
  return schedulesSchema.parse({
    primary: {
      time_zone: timeZone,
      layers: [{ name: "daily", users: ["UALICE", "UBOB"], shift: "daily", handoff, start: "2026-03-01" }],
    },
  })["primary"]!;
}

/** The local wall-clock "HH:MM" of an instant, read with Intl rather than our own code. */
function localClock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
}

/** Whole calendar days from 2026-03-01 to a date: the shift index of a daily rotation starting then. */
function daysFromStart(year: number, month: number, day: number): number {
  return (Date.UTC(year, month - 1, day) - Date.UTC(2026, 2, 1)) / (24 * HOUR);
}

const userForDay = (year: number, month: number, day: number) =>
  ["UALICE", "UBOB"][daysFromStart(year, month, day) % 2];

describe("Europe/Berlin across daylight-saving changes, handoff 09:00", () => {
  const berlin = dailyRotation("Europe/Berlin", "09:00");

  it("makes the shift spanning the spring-forward night (2026-03-29) 23 hours long", () => {
    // Saturday 09:00 CET = 08:00Z; Sunday 09:00 CEST = 07:00Z.
    const on = whoIsOnCall(berlin, utc("2026-03-29T03:00:00Z"));
    expect(on.shiftStart).toEqual(utc("2026-03-28T08:00:00Z"));
    expect(on.shiftEnd).toEqual(utc("2026-03-29T07:00:00Z"));
    expect(on.shiftEnd.getTime() - on.shiftStart.getTime()).toBe(23 * HOUR);
    expect(on.users).toEqual([userForDay(2026, 3, 28)]);
  });

  it("makes the shift spanning the fall-back night (2026-10-25) 25 hours long", () => {
    // Saturday 09:00 CEST = 07:00Z; Sunday 09:00 CET = 08:00Z.
    const on = whoIsOnCall(berlin, utc("2026-10-25T01:30:00Z"));
    expect(on.shiftStart).toEqual(utc("2026-10-24T07:00:00Z"));
    expect(on.shiftEnd).toEqual(utc("2026-10-25T08:00:00Z"));
    expect(on.shiftEnd.getTime() - on.shiftStart.getTime()).toBe(25 * HOUR);
    expect(on.users).toEqual([userForDay(2026, 10, 24)]);
  });

  it("keeps every handoff at 09:00 local through both changes, alternating people day by day", () => {
    for (const [from, to] of [
      ["2026-03-25T00:00:00Z", "2026-04-02T00:00:00Z"],
      ["2026-10-21T00:00:00Z", "2026-10-29T00:00:00Z"],
    ] as const) {
      const shifts = shiftsBetween(berlin, utc(from), utc(to));
      expect(shifts.length).toBe(9);
      for (const shift of shifts) expect(localClock(shift.shiftStart, "Europe/Berlin")).toBe("09:00");
      for (let i = 1; i < shifts.length; i += 1) expect(shifts[i]!.users).not.toEqual(shifts[i - 1]!.users);
    }
  });
});

describe("America/New_York with a 02:30 handoff", () => {
  const newYork = dailyRotation("America/New_York", "02:30");

  it("hands over when the clock jumps past 02:30 on the spring-forward night (03:00 EDT), not an hour late", () => {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:30 never shows; 03:00 EDT = 07:00Z.
    const before = whoIsOnCall(newYork, utc("2026-03-08T06:59:59Z"));
    expect(before.shiftStart).toEqual(utc("2026-03-07T07:30:00Z")); // 02:30 EST
    expect(before.shiftEnd).toEqual(utc("2026-03-08T07:00:00Z"));
    expect(before.shiftEnd.getTime() - before.shiftStart.getTime()).toBe(23.5 * HOUR);

    const after = whoIsOnCall(newYork, utc("2026-03-08T07:00:00Z"));
    expect(after.users).toEqual([userForDay(2026, 3, 8)]);
    expect(after.users).not.toEqual(before.users);
    expect(after.shiftEnd).toEqual(utc("2026-03-09T06:30:00Z")); // 02:30 EDT
    expect(after.shiftEnd.getTime() - after.shiftStart.getTime()).toBe(23.5 * HOUR);
  });

  it("hands over once at 02:30 EST on the fall-back night, making that shift 25 hours", () => {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST; 02:30 then happens once, at 07:30Z.
    const on = whoIsOnCall(newYork, utc("2026-11-01T06:45:00Z"));
    expect(on.shiftStart).toEqual(utc("2026-10-31T06:30:00Z")); // 02:30 EDT
    expect(on.shiftEnd).toEqual(utc("2026-11-01T07:30:00Z"));
    expect(on.users).toEqual([userForDay(2026, 10, 31)]);
  });

  it("hands over at the first 01:30 when 01:30 happens twice, and not again at the second", () => {
    const early = dailyRotation("America/New_York", "01:30");
    // First 01:30 is EDT (05:30Z); the repeat is 01:30 EST (06:30Z).
    const during = whoIsOnCall(early, utc("2026-11-01T06:45:00Z"));
    expect(during.shiftStart).toEqual(utc("2026-11-01T05:30:00Z"));
    expect(during.shiftEnd).toEqual(utc("2026-11-02T06:30:00Z"));
    expect(during.shiftEnd.getTime() - during.shiftStart.getTime()).toBe(25 * HOUR);
    expect(during.users).toEqual([userForDay(2026, 11, 1)]);
    const previous = whoIsOnCall(early, utc("2026-11-01T05:29:00Z"));
    expect(previous.shiftEnd.getTime() - previous.shiftStart.getTime()).toBe(24 * HOUR);
  });
});

describe("local wall-clock conversion", () => {
  const wall = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi);

  it("reads the local clock at an instant", () => {
    expect(toWall(utc("2026-03-29T01:30:00Z"), "Europe/Berlin")).toBe(wall(2026, 3, 29, 3, 30));
    expect(toWall(utc("2026-10-25T00:30:00Z"), "Europe/Berlin")).toBe(wall(2026, 10, 25, 2, 30));
    expect(toWall(utc("2026-10-25T01:30:00Z"), "Europe/Berlin")).toBe(wall(2026, 10, 25, 2, 30));
  });

  it("maps a skipped local time to the moment of the jump and a doubled one to its first occurrence", () => {
    expect(fromWall(wall(2026, 3, 29, 2, 30), "Europe/Berlin")).toEqual(utc("2026-03-29T01:00:00Z"));
    expect(fromWall(wall(2026, 10, 25, 2, 30), "Europe/Berlin")).toEqual(utc("2026-10-25T00:30:00Z"));
    expect(fromWall(wall(2026, 7, 1, 9, 0), "Europe/Berlin")).toEqual(utc("2026-07-01T07:00:00Z"));
  });
});
