import { describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import { parseMeCommand } from "../../src/core/oncall/parse-me-command.js";
import {
  calendarEvents,
  dueHandoffs,
  handoffText,
  personShifts,
} from "../../src/core/oncall/person-shifts.js";

const config = parseFirebreakConfig(`
schedules:
  primary:
    time_zone: Europe/Berlin
    layers:
      - { name: weekly, users: [U0ALICE, U0BOB], shift: weekly, handoff: "09:00", start: "2026-01-05" }
    overrides:
      - { user: U0ALICE, from: "2026-11-30 09:00", to: "2026-11-30 12:00" }
  secondary:
    time_zone: UTC
    layers:
      - { name: daily, users: [U0ALICE, U0CAROL], shift: daily, handoff: "08:00", start: "2026-11-01" }
`);
const { schedules } = config.paging;
const at = (iso: string) => new Date(iso);

describe("a person's shifts", () => {
  it("joins a layer shift and an override of the same person into one stretch", () => {
    // Alice holds the week from Mon 23 Nov 09:00 Berlin, and the override keeps her on past the handoff.
    const shifts = personShifts(schedules.primary!, at("2026-11-23T00:00:00Z"), at("2026-12-01T00:00:00Z"));
    const alice = shifts.filter((s) => s.userId === "U0ALICE");
    expect(alice).toEqual([
      {
        schedule: "primary",
        userId: "U0ALICE",
        start: at("2026-11-23T08:00:00Z"),
        end: at("2026-11-30T11:00:00Z"),
      },
    ]);
    expect(
      shifts.find((s) => s.userId === "U0BOB" && s.start.getTime() === at("2026-11-30T11:00:00Z").getTime()),
    ).toBeTruthy();
  });
});

describe("calendar feeds", () => {
  const names = (id: string) => ({ U0ALICE: "Alice Archer" })[id] ?? id;

  it("a person's feed has their shifts in every schedule, with stable ids", () => {
    // The window ends before the override that extends Alice's week: the event keeps the layer's end.
    const events = calendarEvents(
      { kind: "person", userId: "U0ALICE" },
      schedules,
      {},
      at("2026-11-23T00:00:00Z"),
      at("2026-11-26T00:00:00Z"),
      names,
    );
    expect(events.map((e) => [e.summary, e.start.toISOString(), e.end.toISOString()])).toEqual([
      ["On call: primary", "2026-11-23T08:00:00.000Z", "2026-11-30T08:00:00.000Z"],
      ["On call: secondary", "2026-11-23T08:00:00.000Z", "2026-11-24T08:00:00.000Z"],
      ["On call: secondary", "2026-11-25T08:00:00.000Z", "2026-11-26T08:00:00.000Z"],
    ]);
    const again = calendarEvents(
      { kind: "person", userId: "U0ALICE" },
      schedules,
      {},
      at("2026-11-22T00:00:00Z"),
      at("2026-11-26T00:00:00Z"),
      names,
    );
    expect(again.map((e) => e.uid)).toEqual(expect.arrayContaining(events.map((e) => e.uid)));
  });

  it("a schedule's feed names who is on call in each shift, with run-time overrides", () => {
    const events = calendarEvents(
      { kind: "schedule", schedule: "secondary" },
      schedules,
      { secondary: [{ user: "U0DAVE", from: at("2026-11-24T12:00:00Z"), to: at("2026-11-24T14:00:00Z") }] },
      at("2026-11-24T00:00:00Z"),
      at("2026-11-25T00:00:00Z"),
      names,
    );
    expect(events.map((e) => [e.summary, e.start.toISOString()])).toEqual([
      ["Alice Archer on call (secondary)", "2026-11-23T08:00:00.000Z"],
      ["U0CAROL on call (secondary)", "2026-11-24T08:00:00.000Z"],
      ["U0DAVE on call (secondary)", "2026-11-24T12:00:00.000Z"],
      ["U0CAROL on call (secondary)", "2026-11-24T14:00:00.000Z"],
    ]);
  });
});

describe("handoff notices", () => {
  it("are due for shifts starting within the lead time, or started just before", () => {
    const due = dueHandoffs(schedules, {}, at("2026-11-30T07:50:00Z"), 15 * 60_000);
    expect(due.map((d) => [d.schedule, d.userId, d.start.toISOString()])).toEqual([
      ["secondary", "U0CAROL", "2026-11-30T08:00:00.000Z"],
    ]);
    // Bob's primary shift starts at 12:00 Berlin (after Alice's override), not at 09:00.
    expect(dueHandoffs(schedules, {}, at("2026-11-30T07:55:00Z"), 10 * 60_000).map((d) => d.userId)).toEqual([
      "U0CAROL",
    ]);
    expect(
      dueHandoffs(schedules, {}, at("2026-11-30T10:50:00Z"), 15 * 60_000).map((d) => [d.schedule, d.userId]),
    ).toEqual([["primary", "U0BOB"]]);
  });

  it("say when, in the person's zone", () => {
    const [notice] = dueHandoffs(schedules, {}, at("2026-11-30T10:50:00Z"), 15 * 60_000);
    expect(handoffText(notice!, "Europe/Berlin", at("2026-11-30T10:50:00Z"))).toBe(
      "You are on call for primary from 12:00 Europe/Berlin until Mon 09:00",
    );
  });
});

describe("/oncall me", () => {
  it.each([
    ["", { kind: "show" }],
    ["add sms +49 151 1234 5678", { kind: "add", type: "sms", target: "+4915112345678" }],
    ["add sms <tel:+4915112345678|+49 151 12345678>", { kind: "add", type: "sms", target: "+4915112345678" }],
    ["add email <mailto:a@b.co|a@b.co>", { kind: "add", type: "email", target: "a@b.co" }],
    ["add ntfy alice-pages", { kind: "add", type: "ntfy", target: "alice-pages" }],
    ["verify 123456", { kind: "verify", code: "123456" }],
    ["verify sms 123456", { kind: "verify", code: "123456", methodId: "sms" }],
    ["rule sms 2m", { kind: "rule", methodId: "sms", afterMs: 120_000 }],
    ["rule slack 0m", { kind: "rule", methodId: "slack", afterMs: 0 }],
    ["rule call off", { kind: "rule", methodId: "call", afterMs: null }],
    ["test sms", { kind: "test", methodId: "sms" }],
    ["remove sms-2", { kind: "remove", methodId: "sms-2" }],
    ["handoff on", { kind: "handoff", firstMethod: true }],
  ])("reads %j", (text, expected) => {
    expect(parseMeCommand(text.split(/\s+/).filter(Boolean))).toEqual(expected);
  });

  it.each([
    ["add sms 015112345678", /"015112345678" is not an E\.164 number: write it with \+ and the country code/],
    ["add email nope", /"nope" is not an email address/],
    ["add webhook https://x", /Webhook contact methods are set in firebreak\.yaml/],
    ["add fax +4915112345678", /Say what to add: sms, voice, email or ntfy/],
    ["verify 12", /six-digit code/],
    ["rule sms 30s", /whole minutes/],
    ["rule sms", /Say which method and after how long/],
    ["frobnicate", /is not something `\/oncall me` does/],
  ])("refuses %j with the usage", (text, pattern) => {
    expect(() => parseMeCommand(text.split(/\s+/))).toThrow(pattern);
  });
});
