import { describe, expect, it } from "vitest";
import { schedulesSchema } from "../../src/config-schema/paging.js";
import { planEscalation } from "../../src/core/oncall/plan-escalation.js";
import { snapshotPolicy } from "../../src/core/oncall/policy-snapshot.js";
import { createTargetResolver } from "../../src/core/oncall/target-resolver.js";
import type { EscalationPolicy, NotifyTarget, ResolveTargets } from "../../src/core/oncall/types.js";

const MINUTE = 60_000;
const startedAt = new Date("2026-11-21T03:00:00Z");
const plus = (minutes: number) => new Date(startedAt.getTime() + minutes * MINUTE);

/** The runbook path: primary on call 15m, then the tech lead 30m, then the director 1h. */
function runbook(repeat = 0): EscalationPolicy {
  return {
    name: "default",
    repeat,
    steps: [
      { notify: [{ kind: "schedule", schedule: "primary" }], ackTimeoutMs: 15 * MINUTE },
      { notify: [{ kind: "user", userId: "ULEAD" }], ackTimeoutMs: 30 * MINUTE },
      { notify: [{ kind: "user", userId: "UDIRECTOR" }], ackTimeoutMs: 60 * MINUTE },
    ],
  };
}

/** Primary has ALICE on call, or nobody when `primaryEmpty`. */
function resolver({ primaryEmpty = false } = {}): ResolveTargets {
  return (target: NotifyTarget) => {
    if (target.kind === "user") return [target.userId];
    if (target.kind === "schedule") return primaryEmpty ? [] : ["UALICE"];
    return [];
  };
}

const brief = (p: { step: number; repeat: number; dueAt: Date; userIds: string[] }) =>
  `${p.repeat}/${p.step} +${(p.dueAt.getTime() - startedAt.getTime()) / MINUTE}m ${p.userIds.join(",")}`;

describe("planning an escalation", () => {
  it("pages each step when the previous step's ack window runs out", () => {
    const plan = planEscalation(snapshotPolicy(runbook()), startedAt, resolver());
    // 0, then 15, then 15 + 30 = 45 minutes.
    expect(plan.map(brief)).toEqual(["0/0 +0m UALICE", "0/1 +15m ULEAD", "0/2 +45m UDIRECTOR"]);
    expect(plan.every((p) => p.emptyReason === undefined)).toBe(true);
  });

  it("runs the whole path again for each repeat, after the last step's window", () => {
    const plan = planEscalation(runbook(2), startedAt, resolver());
    // One round takes 15 + 30 + 60 = 105 minutes.
    expect(plan.map(brief)).toEqual([
      "0/0 +0m UALICE",
      "0/1 +15m ULEAD",
      "0/2 +45m UDIRECTOR",
      "1/0 +105m UALICE",
      "1/1 +120m ULEAD",
      "1/2 +150m UDIRECTOR",
      "2/0 +210m UALICE",
      "2/1 +225m ULEAD",
      "2/2 +255m UDIRECTOR",
    ]);
  });

  it("escalates at once past a schedule with nobody on call, and says why", () => {
    const plan = planEscalation(runbook(1), startedAt, resolver({ primaryEmpty: true }));
    // Each round skips primary instantly, so a round takes 30 + 60 = 90 minutes.
    expect(plan.map(brief)).toEqual([
      "0/0 +0m ",
      "0/1 +0m ULEAD",
      "0/2 +30m UDIRECTOR",
      "1/0 +90m ",
      "1/1 +90m ULEAD",
      "1/2 +120m UDIRECTOR",
    ]);
    expect(plan[0]!.emptyReason).toBe('nobody is on call in schedule "primary"');
    expect(plan[3]!.emptyReason).toBe(plan[0]!.emptyReason);
  });

  it("stops after one fruitless round when nobody at all can be paged", () => {
    const nobody: EscalationPolicy = {
      name: "empty",
      repeat: 5,
      steps: [
        { notify: [{ kind: "schedule", schedule: "primary" }], ackTimeoutMs: 15 * MINUTE },
        { notify: [{ kind: "usergroup", usergroupId: "S0DBA" }], ackTimeoutMs: 15 * MINUTE },
      ],
    };
    const plan = planEscalation(nobody, startedAt, resolver({ primaryEmpty: true }));
    expect(plan.map(brief)).toEqual(["0/0 +0m ", "0/1 +0m "]);
    expect(plan[1]!.emptyReason).toBe("usergroup S0DBA has no members");
  });

  it("pages a person once per step even when several targets name them", () => {
    const policy: EscalationPolicy = {
      name: "overlap",
      repeat: 0,
      steps: [
        {
          notify: [
            { kind: "schedule", schedule: "primary" },
            { kind: "user", userId: "UALICE" },
            { kind: "user", userId: "ULEAD" },
          ],
          ackTimeoutMs: 15 * MINUTE,
        },
      ],
    };
    expect(planEscalation(policy, startedAt, resolver())[0]!.userIds).toEqual(["UALICE", "ULEAD"]);
  });

  it("follows the rotation when the handoff happens during the escalation", () => {
    // Daily handoff at 09:00 Berlin (08:00Z in November).
    const schedules = schedulesSchema.parse({
      primary: {
        time_zone: "Europe/Berlin",
        layers: [
          { name: "daily", users: ["UALICE", "UBOB"], shift: "daily", handoff: "09:00", start: "2026-11-01" },
        ],
      },
    });
    const resolve = createTargetResolver({ schedules });
    const plan = planEscalation(runbook(1), new Date("2026-11-21T06:00:00Z"), resolve);
    // Until 08:00Z it is Nov 20's shift, day 19 of the rotation (odd → UBOB); then day 20 (even → UALICE).
    expect(plan[0]).toMatchObject({ step: 0, repeat: 0, userIds: ["UBOB"] });
    // The second round starts 105 minutes in, at 07:45Z: still before the handoff.
    expect(plan[3]).toMatchObject({
      step: 0,
      repeat: 1,
      userIds: ["UBOB"],
      dueAt: new Date("2026-11-21T07:45:00Z"),
    });
    // Starting 30 minutes later, the second round (08:15Z) pages the new person.
    const later = planEscalation(runbook(1), new Date("2026-11-21T06:30:00Z"), resolve);
    expect(later[3]).toMatchObject({ step: 0, repeat: 1, userIds: ["UALICE"] });
  });

  it("is unaffected by edits to the policy after the snapshot is taken", () => {
    const policy = runbook();
    const snapshot = snapshotPolicy(policy);
    policy.steps[0]!.ackTimeoutMs = MINUTE;
    (policy.steps[1]!.notify[0] as { userId: string }).userId = "USOMEONE";
    expect(planEscalation(snapshot, startedAt, resolver()).map(brief)).toEqual([
      "0/0 +0m UALICE",
      "0/1 +15m ULEAD",
      "0/2 +45m UDIRECTOR",
    ]);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it("counts every due time from the start time it is given", () => {
    expect(planEscalation(runbook(), plus(10), resolver())[1]!.dueAt).toEqual(plus(25));
  });
});

describe("the target resolver built from config and Slack", () => {
  const schedules = schedulesSchema.parse({
    primary: {
      time_zone: "UTC",
      layers: [
        { name: "daily", users: ["UALICE", "UBOB"], shift: "daily", handoff: "00:00", start: "2026-11-01" },
      ],
    },
  });
  const resolve = createTargetResolver({
    schedules,
    overrides: {
      primary: [
        { user: "UCOVER", from: new Date("2026-11-21T12:00:00Z"), to: new Date("2026-11-21T13:00:00Z") },
      ],
    },
    usergroupMembers: { S0DBA: ["UDBA1", "UDBA2"] },
  });

  it("resolves a schedule to whoever is on call then, overrides included", () => {
    // Nov 21 is day 20 of the rotation: even → UALICE.
    expect(resolve({ kind: "schedule", schedule: "primary" }, new Date("2026-11-21T11:00:00Z"))).toEqual([
      "UALICE",
    ]);
    expect(resolve({ kind: "schedule", schedule: "primary" }, new Date("2026-11-21T12:30:00Z"))).toEqual([
      "UCOVER",
    ]);
  });

  it("resolves usergroups to their members and unknown names to nobody", () => {
    const at = new Date("2026-11-21T11:00:00Z");
    expect(resolve({ kind: "usergroup", usergroupId: "S0DBA" }, at)).toEqual(["UDBA1", "UDBA2"]);
    expect(resolve({ kind: "usergroup", usergroupId: "S0NONE" }, at)).toEqual([]);
    expect(resolve({ kind: "schedule", schedule: "gone" }, at)).toEqual([]);
    expect(resolve({ kind: "user", userId: "ULEAD" }, at)).toEqual(["ULEAD"]);
  });
});
