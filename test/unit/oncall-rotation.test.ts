import { describe, expect, it } from "vitest";
import { schedulesSchema } from "../../src/config-schema/paging.js";
import { FirebreakError } from "../../src/core/errors.js";
import { shiftsBetween } from "../../src/core/oncall/shifts-between.js";
import type { OnCall, Override, Schedule } from "../../src/core/oncall/types.js";
import { whoIsOnCall } from "../../src/core/oncall/who-is-on-call.js";

const utc = (iso: string) => new Date(iso);

/** Builds one schedule the way firebreak.yaml would declare it. */
function schedule(body: Record<string, unknown>): Schedule {
  const parsed = schedulesSchema.parse({ primary: body });
  return parsed["primary"]!;
}

// 2026-01-05 is a Monday; Berlin is on CET (UTC+1) all of January, so 09:00 local = 08:00Z.
const weekly = {
  name: "weekly",
  users: ["UALICE", "UBOB", "UCAROL"],
  shift: "weekly",
  handoff: "09:00",
  start: "2026-01-05",
};
const businessHours = {
  name: "business-hours",
  users: ["UDAN"],
  shift: "daily",
  handoff: "09:00",
  start: "2026-01-05",
  restrict: [{ days: "weekdays", from: "09:00", to: "17:00" }],
};

function brief(on: OnCall) {
  return {
    users: on.users,
    layer: on.layer,
    source: on.source,
    from: on.shiftStart.toISOString(),
    to: on.shiftEnd.toISOString(),
  };
}

describe("a weekly rotation", () => {
  const primary = schedule({ time_zone: "Europe/Berlin", layers: [weekly] });

  it("hands over every Monday at 09:00 local, in the order the users are listed", () => {
    const shifts = shiftsBetween(primary, utc("2026-01-05T08:00:00Z"), utc("2026-02-02T08:00:00Z"));
    expect(shifts.map(brief)).toEqual([
      {
        users: ["UALICE"],
        layer: "weekly",
        source: "layer",
        from: "2026-01-05T08:00:00.000Z",
        to: "2026-01-12T08:00:00.000Z",
      },
      {
        users: ["UBOB"],
        layer: "weekly",
        source: "layer",
        from: "2026-01-12T08:00:00.000Z",
        to: "2026-01-19T08:00:00.000Z",
      },
      {
        users: ["UCAROL"],
        layer: "weekly",
        source: "layer",
        from: "2026-01-19T08:00:00.000Z",
        to: "2026-01-26T08:00:00.000Z",
      },
      {
        users: ["UALICE"],
        layer: "weekly",
        source: "layer",
        from: "2026-01-26T08:00:00.000Z",
        to: "2026-02-02T08:00:00.000Z",
      },
    ]);
  });

  it("keeps the outgoing person until the handoff minute and the incoming one from it", () => {
    expect(whoIsOnCall(primary, utc("2026-01-12T07:59:59.999Z")).users).toEqual(["UALICE"]);
    expect(whoIsOnCall(primary, utc("2026-01-12T08:00:00Z")).users).toEqual(["UBOB"]);
  });

  it("has nobody on call before the layer's first handoff", () => {
    const before = whoIsOnCall(primary, utc("2026-01-05T07:00:00Z"));
    expect(before).toMatchObject({ users: [], layer: null, source: "none" });
    expect(before.shiftEnd).toEqual(utc("2026-01-05T08:00:00Z"));
  });

  it("keeps counting turns months later (week 30 is the 30th turn: 29 mod 3 = 2 → the third user)", () => {
    // 2026-07-27 is 29 weeks after 2026-01-05; in summer 09:00 CEST is 07:00Z.
    const on = whoIsOnCall(primary, utc("2026-07-28T12:00:00Z"));
    expect(brief(on)).toEqual({
      users: ["UCAROL"],
      layer: "weekly",
      source: "layer",
      from: "2026-07-27T07:00:00.000Z",
      to: "2026-08-03T07:00:00.000Z",
    });
  });
});

describe("layers", () => {
  const primary = schedule({ time_zone: "Europe/Berlin", layers: [weekly, businessHours] });

  it("lets a later layer win where it has someone", () => {
    // Tuesday 2026-01-06 10:00 CET.
    expect(brief(whoIsOnCall(primary, utc("2026-01-06T09:00:00Z")))).toEqual({
      users: ["UDAN"],
      layer: "business-hours",
      source: "layer",
      from: "2026-01-06T08:00:00.000Z",
      to: "2026-01-06T16:00:00.000Z",
    });
  });

  it("falls back to the lower layer outside the higher layer's hours, for just that stretch", () => {
    // Tuesday 18:00 CET: the weekly person until business hours start on Wednesday.
    expect(brief(whoIsOnCall(primary, utc("2026-01-06T17:00:00Z")))).toEqual({
      users: ["UALICE"],
      layer: "weekly",
      source: "layer",
      from: "2026-01-06T16:00:00.000Z",
      to: "2026-01-07T08:00:00.000Z",
    });
  });

  it("leaves weekends to the lower layer from Friday 17:00 to Monday's handoff", () => {
    // Saturday 2026-01-10 12:00 CET.
    expect(brief(whoIsOnCall(primary, utc("2026-01-10T11:00:00Z")))).toEqual({
      users: ["UALICE"],
      layer: "weekly",
      source: "layer",
      from: "2026-01-09T16:00:00.000Z",
      to: "2026-01-12T08:00:00.000Z",
    });
  });

  it("covers windows that run past midnight, such as weekday nights into Saturday morning", () => {
    const nights = schedule({
      time_zone: "Europe/Berlin",
      layers: [
        weekly,
        {
          name: "nights",
          users: ["UNIGHT"],
          shift: "weekly",
          handoff: "18:00",
          start: "2026-01-05",
          restrict: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "18:00", to: "09:00" }],
        },
      ],
    });
    // Friday 18:00 CET to Saturday 09:00 CET.
    const saturdayMorning = whoIsOnCall(nights, utc("2026-01-10T07:00:00Z"));
    expect(brief(saturdayMorning)).toEqual({
      users: ["UNIGHT"],
      layer: "nights",
      source: "layer",
      from: "2026-01-09T17:00:00.000Z",
      to: "2026-01-10T08:00:00.000Z",
    });
    expect(whoIsOnCall(nights, utc("2026-01-10T09:00:00Z")).layer).toBe("weekly");
    // Sunday night is not a weekday night.
    expect(whoIsOnCall(nights, utc("2026-01-11T22:00:00Z")).layer).toBe("weekly");
  });

  it("reports a gap when no layer has anyone", () => {
    const officeOnly = schedule({ time_zone: "Europe/Berlin", layers: [businessHours] });
    expect(brief(whoIsOnCall(officeOnly, utc("2026-01-10T11:00:00Z")))).toEqual({
      users: [],
      layer: null,
      source: "none",
      from: "2026-01-09T16:00:00.000Z",
      to: "2026-01-12T08:00:00.000Z",
    });
  });
});

describe("overrides", () => {
  const primary = schedule({
    time_zone: "Europe/Berlin",
    layers: [weekly, businessHours],
    // Wednesday 2026-01-07, 12:00–14:00 CET.
    overrides: [{ user: "UERIN", from: "2026-01-07 12:00", to: "2026-01-07 14:00" }],
  });

  it("win over every layer for their window", () => {
    expect(brief(whoIsOnCall(primary, utc("2026-01-07T12:00:00Z")))).toEqual({
      users: ["UERIN"],
      layer: null,
      source: "override",
      from: "2026-01-07T11:00:00.000Z",
      to: "2026-01-07T13:00:00.000Z",
    });
  });

  it("hand back to the rotation when they end, mid-shift", () => {
    expect(brief(whoIsOnCall(primary, utc("2026-01-07T15:00:00Z")))).toEqual({
      users: ["UDAN"],
      layer: "business-hours",
      source: "layer",
      from: "2026-01-07T13:00:00.000Z",
      to: "2026-01-07T16:00:00.000Z",
    });
  });

  it("made in Slack win over overlapping ones from config, and carry their id", () => {
    const fromSlack: Override[] = [
      { id: "ov-7", user: "UFRED", from: utc("2026-01-07T11:30:00Z"), to: utc("2026-01-07T14:00:00Z") },
    ];
    expect(whoIsOnCall(primary, utc("2026-01-07T11:15:00Z"), fromSlack).users).toEqual(["UERIN"]);
    const during = whoIsOnCall(primary, utc("2026-01-07T12:00:00Z"), fromSlack);
    expect(during).toMatchObject({ users: ["UFRED"], source: "override", overrideId: "ov-7" });
    expect(during.shiftStart).toEqual(utc("2026-01-07T11:30:00Z"));
    expect(during.shiftEnd).toEqual(utc("2026-01-07T14:00:00Z"));
  });

  it("made later win over earlier ones", () => {
    const both: Override[] = [
      { id: "1", user: "UFRED", from: utc("2026-01-08T00:00:00Z"), to: utc("2026-01-09T00:00:00Z") },
      { id: "2", user: "UGINA", from: utc("2026-01-08T06:00:00Z"), to: utc("2026-01-08T07:00:00Z") },
    ];
    expect(whoIsOnCall(primary, utc("2026-01-08T06:30:00Z"), both).overrideId).toBe("2");
    expect(whoIsOnCall(primary, utc("2026-01-08T07:30:00Z"), both).overrideId).toBe("1");
  });

  it("fill gaps nobody else covers", () => {
    const officeOnly = schedule({ time_zone: "Europe/Berlin", layers: [businessHours] });
    const cover: Override[] = [
      { user: "UFRED", from: utc("2026-01-10T00:00:00Z"), to: utc("2026-01-11T00:00:00Z") },
    ];
    expect(whoIsOnCall(officeOnly, utc("2026-01-10T11:00:00Z"), cover)).toMatchObject({
      users: ["UFRED"],
      source: "override",
    });
  });
});

describe("listing shifts", () => {
  const primary = schedule({
    time_zone: "Europe/Berlin",
    layers: [weekly, businessHours],
    overrides: [{ user: "UERIN", from: "2026-01-07 12:00", to: "2026-01-07 14:00" }],
  });

  it("covers the whole span without gaps or overlaps, as whoIsOnCall sees each moment", () => {
    const from = utc("2026-01-06T03:17:00Z");
    const to = utc("2026-01-20T19:41:00Z");
    const shifts = shiftsBetween(primary, from, to);
    expect(shifts[0]!.shiftStart.getTime()).toBeLessThanOrEqual(from.getTime());
    expect(shifts.at(-1)!.shiftEnd.getTime()).toBeGreaterThanOrEqual(to.getTime());
    for (let i = 1; i < shifts.length; i += 1) {
      expect(shifts[i]!.shiftStart).toEqual(shifts[i - 1]!.shiftEnd);
    }
    // Sample moments across the span with a fixed-seed generator.
    let seed = 42;
    for (let n = 0; n < 200; n += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const at = new Date(from.getTime() + (seed / 2 ** 31) * (to.getTime() - from.getTime()));
      const listed = shifts.find((s) => s.shiftStart <= at && at < s.shiftEnd);
      expect(listed).toEqual(whoIsOnCall(primary, at));
    }
  });

  it("refuses an empty or backwards span", () => {
    const at = utc("2026-01-06T00:00:00Z");
    expect(() => shiftsBetween(primary, at, at)).toThrow(FirebreakError);
  });
});
