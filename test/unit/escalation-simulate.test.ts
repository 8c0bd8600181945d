import { describe, expect, it } from "vitest";
import { runbookEscalationPolicy } from "../../src/core/oncall/runbook-policy.js";
import { simulateEscalation } from "../../src/core/oncall/simulate-escalation.js";
import type { NotifyTarget, ResolveTargets } from "../../src/core/oncall/types.js";

const policy = runbookEscalationPolicy({
  firstLine: [{ kind: "schedule", schedule: "primary" }],
  techLead: [{ kind: "user", userId: "UBOB" }],
  director: [
    { kind: "user", userId: "UDIANA" },
    { kind: "usergroup", usergroupId: "S0LEADS" },
  ],
});

function resolver({ primaryEmpty = false } = {}): ResolveTargets {
  return (target: NotifyTarget) => {
    if (target.kind === "user") return [target.userId];
    if (target.kind === "usergroup") return ["UDIANA", "UEVE"];
    return primaryEmpty ? [] : ["UALICE"];
  };
}

// Sunday 2026-03-29 09:00 in Berlin, the first morning of summer time (CEST, UTC+2).
const at = new Date("2026-03-29T07:00:00Z");

describe("simulating an escalation for /oncall simulate", () => {
  it("walks the runbook path: primary at T+0, the tech lead at T+15m, the director at T+45m", () => {
    const lines = simulateEscalation(policy, at, resolver());
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^T\+0 page @UALICE \(primary on call\) — step 1, ack within 15m$/);
    expect(lines[1]).toMatch(/^T\+15m page @UBOB — step 2, ack within 30m$/);
    expect(lines[2]).toMatch(/^T\+45m page @UDIANA, @UEVE \(usergroup S0LEADS\) — step 3, ack within 1h$/);
    // 15 + 30 + 60 minutes.
    expect(lines[3]).toBe("T+1h45m nobody acknowledged: escalation ends");
  });

  it("says when a step is skipped because nobody is on call", () => {
    const lines = simulateEscalation(policy, at, resolver({ primaryEmpty: true }));
    expect(lines[0]).toBe('T+0 step 1: nobody is on call in schedule "primary", escalating at once');
    expect(lines[1]).toMatch(/^T\+0 page @UBOB/);
    expect(lines[2]).toMatch(/^T\+30m page @UDIANA/);
    expect(lines.at(-1)).toBe("T+1h30m nobody acknowledged: escalation ends");
  });

  it("shows local times and Slack mentions when asked", () => {
    const lines = simulateEscalation(policy, at, resolver(), {
      timeZone: "Europe/Berlin",
      formatUser: (id) => `<@${id}>`,
    });
    expect(lines[0]).toMatch(/^T\+0 \(Sun 09:00\) page <@UALICE> \(primary on call\)/);
    expect(lines[1]).toMatch(/^T\+15m \(Sun 09:15\) page <@UBOB>/);
  });

  it("labels rounds when the path repeats", () => {
    const lines = simulateEscalation({ ...policy, repeat: 1 }, at, resolver());
    expect(lines[3]).toMatch(/^T\+1h45m page @UALICE \(primary on call\) — step 1 \[round 2 of 2\]/);
    expect(lines.at(-1)).toBe("T+3h30m nobody acknowledged: escalation ends");
  });

  it("says plainly when nobody could be paged at all", () => {
    const lonely = {
      name: "lonely",
      repeat: 2,
      steps: [{ notify: policy.steps[0]!.notify, ackTimeoutMs: 900_000 }],
    };
    expect(simulateEscalation(lonely, at, resolver({ primaryEmpty: true })).at(-1)).toBe(
      "T+0 nobody could be paged: escalation ends",
    );
  });
});
