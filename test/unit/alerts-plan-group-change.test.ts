import { describe, expect, it } from "vitest";
import type { AlertChanges } from "../../src/core/alerts/merge.js";
import type { AlertObservation } from "../../src/core/alerts/types.js";
import { planGroupChange } from "../../src/core/alerts/plan-group-change.js";
import type { PlanInput } from "../../src/core/alerts/plan-group-change.js";

const now = new Date("2026-11-21T12:00:00Z");
const alert: AlertObservation = {
  fingerprint: "aa",
  status: "firing",
  labels: { alertname: "X" },
  annotations: {},
  startsAt: new Date("2026-11-21T11:00:00Z"),
  endsAt: null,
  generatorURL: "",
};
const changes = (c: Partial<AlertChanges>): AlertChanges => ({
  added: [],
  resolved: [],
  refired: [],
  unchanged: [],
  ignored: [],
  unlisted: [],
  ...c,
});
const input = (p: Partial<PlanInput>): PlanInput => ({
  incident: null,
  changes: changes({}),
  allResolved: false,
  now,
  reopenWindowMs: 60 * 60_000,
  onAllResolved: "notify",
  ...p,
});
const open = { id: 7, state: "declared" as const, resolvedAt: null };
const resolvedAgo = (ms: number) => ({
  id: 7,
  state: "resolved" as const,
  resolvedAt: new Date(now.getTime() - ms),
});

describe("what a notification does to its group's incident", () => {
  it("opens an incident when a group without one starts firing", () => {
    expect(planGroupChange(input({ changes: changes({ added: [alert] }) }))).toEqual({
      kind: "open",
      replaces: null,
    });
  });

  it("only remembers the alerts of a group first seen resolved", () => {
    expect(
      planGroupChange(input({ changes: changes({ ignored: [{ alert, reason: "resolved_unseen" }] }) })),
    ).toEqual({ kind: "track" });
  });

  it("records new and resolved alerts in an open incident without acting on it", () => {
    expect(planGroupChange(input({ incident: open, changes: changes({ added: [alert] }) }))).toEqual({
      kind: "record",
      incidentId: 7,
      allResolved: null,
    });
  });

  it("applies on_all_resolved only on the notification that resolves the last alert", () => {
    const last = input({ incident: open, changes: changes({ resolved: [alert] }), allResolved: true });
    expect(planGroupChange(last)).toMatchObject({ allResolved: "notify" });
    expect(planGroupChange({ ...last, onAllResolved: "auto_resolve" })).toMatchObject({
      allResolved: "auto_resolve",
    });
    const duplicate = input({ incident: open, changes: changes({ unchanged: [alert] }), allResolved: true });
    expect(planGroupChange(duplicate)).toMatchObject({ allResolved: null });
  });

  it("reopens within the reopen window and opens a new incident after it", () => {
    const refire = changes({ refired: [alert] });
    expect(planGroupChange(input({ incident: resolvedAgo(59 * 60_000), changes: refire }))).toEqual({
      kind: "reopen",
      incidentId: 7,
    });
    expect(planGroupChange(input({ incident: resolvedAgo(61 * 60_000), changes: refire }))).toEqual({
      kind: "open",
      replaces: 7,
    });
  });

  it("leaves a resolved incident alone for repeats of alerts that fire on", () => {
    expect(
      planGroupChange(input({ incident: resolvedAgo(60_000), changes: changes({ unchanged: [alert] }) })),
    ).toEqual({ kind: "record", incidentId: 7, allResolved: null });
  });
});
