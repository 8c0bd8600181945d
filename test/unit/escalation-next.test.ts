import { describe, expect, it } from "vitest";
import {
  nextEscalation,
  startEscalation,
  type EscalationDecision,
  type EscalationState,
} from "../../src/core/oncall/next-escalation.js";
import { planEscalation } from "../../src/core/oncall/plan-escalation.js";
import { snapshotPolicy } from "../../src/core/oncall/policy-snapshot.js";
import type { EscalationPolicy, NotifyTarget, ResolveTargets } from "../../src/core/oncall/types.js";

const MINUTE = 60_000;
const startedAt = new Date("2026-11-21T03:00:00Z");
const plus = (minutes: number) => new Date(startedAt.getTime() + minutes * MINUTE);

const policy: EscalationPolicy = {
  name: "default",
  repeat: 1,
  steps: [
    { notify: [{ kind: "schedule", schedule: "primary" }], ackTimeoutMs: 15 * MINUTE },
    { notify: [{ kind: "user", userId: "ULEAD" }], ackTimeoutMs: 30 * MINUTE },
    { notify: [{ kind: "user", userId: "UDIRECTOR" }], ackTimeoutMs: 60 * MINUTE },
  ],
};
const snapshot = snapshotPolicy(policy);

function resolver({ primaryEmpty = false } = {}): ResolveTargets {
  return (target: NotifyTarget) => {
    if (target.kind === "user") return [target.userId];
    return primaryEmpty ? [] : ["UALICE"];
  };
}

/** What the engine stores after a page decision. */
function afterPage(state: EscalationState, decision: EscalationDecision, now: Date): EscalationState {
  if (decision.kind !== "page") throw new Error(`expected a page, got ${decision.kind}`);
  return {
    ...state,
    currentStep: decision.step,
    currentRepeat: decision.repeat,
    stepStartedAt: now,
    skipToNext: false,
  };
}

describe("the escalation engine's next decision", () => {
  it("pages the first step as soon as escalation starts", () => {
    const decision = nextEscalation(startEscalation(snapshot, startedAt), startedAt, resolver());
    expect(decision).toEqual({
      kind: "page",
      step: 0,
      repeat: 0,
      userIds: ["UALICE"],
      nextDueAt: plus(15),
      skipped: [],
    });
  });

  it("waits out the ack window, however often the timer fires early", () => {
    const state = afterPage(
      startEscalation(snapshot, startedAt),
      nextEscalation(startEscalation(snapshot, startedAt), startedAt, resolver()),
      startedAt,
    );
    for (const minute of [0, 1, 14, 14.99]) {
      expect(nextEscalation(state, plus(minute), resolver())).toEqual({ kind: "wait", dueAt: plus(15) });
    }
    expect(nextEscalation(state, plus(15), resolver())).toMatchObject({
      kind: "page",
      step: 1,
      userIds: ["ULEAD"],
    });
  });

  it("never pages again once acknowledged, even long after every window has passed", () => {
    const state: EscalationState = {
      ...startEscalation(snapshot, startedAt),
      currentStep: 0,
      stepStartedAt: startedAt,
      acknowledgedAt: plus(3),
    };
    for (const minute of [3, 15, 16, 600]) {
      expect(nextEscalation(state, plus(minute), resolver())).toEqual({
        kind: "stopped",
        reason: "acknowledged",
      });
    }
    expect(nextEscalation({ ...state, skipToNext: true }, plus(4), resolver())).toEqual({
      kind: "stopped",
      reason: "acknowledged",
    });
  });

  it("never pages again once resolved, and says resolved even if it was also acknowledged", () => {
    const state: EscalationState = { ...startEscalation(snapshot, startedAt), resolvedAt: plus(1) };
    expect(nextEscalation(state, plus(1), resolver())).toEqual({ kind: "stopped", reason: "resolved" });
    expect(nextEscalation({ ...state, acknowledgedAt: plus(0.5) }, plus(60), resolver())).toEqual({
      kind: "stopped",
      reason: "resolved",
    });
  });

  it("gives a late page its whole ack window and moves on one step at a time", () => {
    const state: EscalationState = {
      ...startEscalation(snapshot, startedAt),
      currentStep: 0,
      stepStartedAt: startedAt,
    };
    const late = plus(180);
    expect(nextEscalation(state, late, resolver())).toEqual({
      kind: "page",
      step: 1,
      repeat: 0,
      userIds: ["ULEAD"],
      nextDueAt: new Date(late.getTime() + 30 * MINUTE),
      skipped: [],
    });
  });

  it("escalates at once when asked to, without waiting for the window", () => {
    const state: EscalationState = {
      ...startEscalation(snapshot, startedAt),
      currentStep: 0,
      stepStartedAt: startedAt,
      skipToNext: true,
    };
    expect(nextEscalation(state, plus(2), resolver())).toMatchObject({
      kind: "page",
      step: 1,
      nextDueAt: plus(32),
    });
  });

  it("skips a schedule with nobody on call straight to the next step, and says which it skipped", () => {
    const decision = nextEscalation(
      startEscalation(snapshot, startedAt),
      startedAt,
      resolver({ primaryEmpty: true }),
    );
    expect(decision).toEqual({
      kind: "page",
      step: 1,
      repeat: 0,
      userIds: ["ULEAD"],
      nextDueAt: plus(30),
      skipped: [{ step: 0, repeat: 0, reason: 'nobody is on call in schedule "primary"' }],
    });
  });

  it("starts the next round after the last step's window, then is exhausted after the last round", () => {
    const lastOfFirst: EscalationState = {
      ...startEscalation(snapshot, startedAt),
      currentStep: 2,
      currentRepeat: 0,
      stepStartedAt: startedAt,
    };
    expect(nextEscalation(lastOfFirst, plus(60), resolver())).toMatchObject({
      kind: "page",
      step: 0,
      repeat: 1,
    });
    const lastOfAll = { ...lastOfFirst, currentRepeat: 1 };
    expect(nextEscalation(lastOfAll, plus(59), resolver())).toEqual({ kind: "wait", dueAt: plus(60) });
    expect(nextEscalation(lastOfAll, plus(60), resolver())).toEqual({ kind: "exhausted", skipped: [] });
    expect(nextEscalation(lastOfAll, plus(6000), resolver())).toEqual({ kind: "exhausted", skipped: [] });
  });

  it("is exhausted at once, after one round of skips, when nobody at all can be paged", () => {
    const nobody = snapshotPolicy({
      name: "nobody",
      repeat: 3,
      steps: [{ notify: [{ kind: "schedule", schedule: "primary" }], ackTimeoutMs: 15 * MINUTE }],
    });
    expect(
      nextEscalation(startEscalation(nobody, startedAt), startedAt, resolver({ primaryEmpty: true })),
    ).toEqual({
      kind: "exhausted",
      skipped: [{ step: 0, repeat: 0, reason: 'nobody is on call in schedule "primary"' }],
    });
  });
});

describe("an engine driven by these decisions", () => {
  /** Runs the engine loop, firing the timer at each due time plus `delay(n)` minutes, duplicating some fires. */
  function drive(resolve: ResolveTargets, delay: (n: number) => number) {
    let state = startEscalation(snapshot, startedAt);
    let now = startedAt;
    const pages: { step: number; repeat: number; at: Date; userIds: string[] }[] = [];
    const skipped: { step: number; repeat: number }[] = [];
    for (let n = 0; n < 100; n += 1) {
      const decision = nextEscalation(state, now, resolve);
      if (decision.kind === "exhausted" || decision.kind === "stopped") return { pages, skipped, decision };
      if (decision.kind === "wait") {
        now = new Date(decision.dueAt.getTime() + delay(n) * MINUTE);
        continue;
      }
      pages.push({ step: decision.step, repeat: decision.repeat, at: now, userIds: decision.userIds });
      skipped.push(...decision.skipped.map(({ step, repeat }) => ({ step, repeat })));
      state = afterPage(state, decision, now);
      // A duplicate delivery of the same timer, and one that fires early, both change nothing.
      expect(nextEscalation(state, now, resolve).kind).toBe("wait");
      now = new Date(now.getTime() + (n % 2 === 0 ? MINUTE : 0));
    }
    throw new Error("escalation did not end");
  }

  it("sends exactly the pages the plan forecast, at the forecast times, when timers are punctual", () => {
    for (const primaryEmpty of [false, true]) {
      const resolve = resolver({ primaryEmpty });
      const run = drive(resolve, () => 0);
      const plan = planEscalation(snapshot, startedAt, resolve);
      expect(run.pages).toEqual(
        plan
          .filter((p) => p.emptyReason === undefined)
          .map((p) => ({ step: p.step, repeat: p.repeat, at: p.dueAt, userIds: p.userIds })),
      );
      expect(run.skipped).toEqual(
        plan.filter((p) => p.emptyReason !== undefined).map(({ step, repeat }) => ({ step, repeat })),
      );
      expect(run.decision.kind).toBe("exhausted");
    }
  });

  it("never drops or repeats a step when timers fire late", () => {
    const run = drive(resolver(), (n) => (n * 7) % 11);
    const order = run.pages.map((p) => `${p.repeat}/${p.step}`);
    expect(order).toEqual(["0/0", "0/1", "0/2", "1/0", "1/1", "1/2"]);
  });
});
