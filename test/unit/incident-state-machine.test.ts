import { describe, expect, it } from "vitest";
import { transition } from "../../src/core/incident/state-machine.js";

describe("incident lifecycle state machine", () => {
  it("walks declared → acknowledged → mitigated → resolved", () => {
    expect(transition("declared", "ack")).toEqual({
      outcome: "changed",
      from: "declared",
      to: "acknowledged",
    });
    expect(transition("acknowledged", "mitigate")).toEqual({
      outcome: "changed",
      from: "acknowledged",
      to: "mitigated",
    });
    expect(transition("mitigated", "resolve")).toEqual({
      outcome: "changed",
      from: "mitigated",
      to: "resolved",
    });
  });

  it("lets an incident be resolved or mitigated straight from declared", () => {
    expect(transition("declared", "resolve").outcome).toBe("changed");
    expect(transition("declared", "mitigate").outcome).toBe("changed");
  });

  it("treats a repeated acknowledgement as a no-op, not an error (double clicks)", () => {
    const r = transition("acknowledged", "ack");
    expect(r.outcome).toBe("unchanged");
  });

  it("refuses to acknowledge or mitigate a resolved incident and says to reopen", () => {
    for (const action of ["ack", "mitigate"] as const) {
      const r = transition("resolved", action);
      expect(r.outcome).toBe("refused");
      if (r.outcome === "refused") expect(r.reason).toMatch(/reopen/i);
    }
  });

  it("reopens only resolved incidents, back to declared", () => {
    expect(transition("resolved", "reopen")).toEqual({
      outcome: "changed",
      from: "resolved",
      to: "declared",
    });
    expect(transition("acknowledged", "reopen").outcome).toBe("refused");
  });

  it("reports a repeated resolve as unchanged", () => {
    expect(transition("resolved", "resolve").outcome).toBe("unchanged");
  });
});
