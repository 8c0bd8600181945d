import { describe, expect, it } from "vitest";
import { decideApproval, decideAutoApproval, decideRequest } from "../../src/core/catalog/policy.js";
import type { PendingRun, RequestFacts } from "../../src/core/catalog/policy.js";
import type { CatalogCommand, CommandPolicy } from "../../src/core/catalog/types.js";
import type { Role } from "../../src/core/incident/roles.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const policy: CommandPolicy = {
  requesters: ["responder", "commander"],
  approvals: { count: 1, roles: ["commander", "admin"] },
  channels: "incident",
  cooldownMs: 5 * 60_000,
  exclusive: true,
  timeoutMs: 30_000,
  approvalExpiryMs: 15 * 60_000,
};
const remediation: CatalogCommand = {
  name: "kill",
  title: "Kill",
  description: "d",
  kind: "remediation",
  targetType: "mysql",
  target: "orders",
  parameters: [],
  fixed: {},
  steps: [],
  policy,
  file: "kill.yaml",
};
const roles = (...r: Role[]) => new Set<Role>(r);
const inIncident = { incident: { id: 7, severity: "P1" as const, resolved: false } };
const facts = (f: Partial<RequestFacts> = {}): RequestFacts => ({
  command: remediation,
  userId: "U1",
  roles: roles("responder"),
  place: inIncident,
  now: NOW,
  ...f,
});

describe("who may request what, where", () => {
  it("allows a responder in an incident channel", () => {
    expect(decideRequest(facts())).toEqual({ allowed: true });
  });

  it("refuses someone without a requester role, naming the roles", () => {
    expect(decideRequest(facts({ roles: roles() }))).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/needs one of: responder, commander/),
    });
  });

  it("keeps remediations to incident channels, and to open incidents", () => {
    expect(decideRequest(facts({ place: {} }))).toMatchObject({
      reason: expect.stringMatching(/runs only in an incident channel/),
    });
    expect(
      decideRequest(facts({ place: { incident: { ...inIncident.incident, resolved: true } } })),
    ).toMatchObject({ reason: expect.stringMatching(/resolved; reopen it/) });
  });

  it("lets a diagnostic allowed anywhere run outside incidents", () => {
    const diagnostic = {
      ...remediation,
      kind: "diagnostic" as const,
      policy: { ...policy, channels: "any" as const },
    };
    expect(decideRequest(facts({ command: diagnostic, place: {} }))).toEqual({ allowed: true });
  });

  it("keeps a command to its severities", () => {
    const p1only = { ...remediation, policy: { ...policy, severities: ["P0" as const] } };
    expect(decideRequest(facts({ command: p1only }))).toMatchObject({
      reason: expect.stringMatching(/only in P0 incidents; #7 is P1/),
    });
  });

  it("refuses during the cooldown, saying when to try again, and allows after it", () => {
    const refused = decideRequest(facts({ lastStartedAt: new Date(NOW.getTime() - 60_000) }));
    expect(refused).toMatchObject({
      reason: expect.stringMatching(/ran on that target 1m ago; its cooldown is 5m. Try again in 4m/),
    });
    expect(decideRequest(facts({ lastStartedAt: new Date(NOW.getTime() - 5 * 60_000) }))).toEqual({
      allowed: true,
    });
  });

  it("allows one run per target at a time", () => {
    expect(decideRequest(facts({ activeRunOnTarget: { id: 3, command: "kill" } }))).toMatchObject({
      reason: expect.stringMatching(/Run #3 \(kill\) is still in progress on that target/),
    });
  });
});

describe("approvals, checked at click time", () => {
  const run: PendingRun = {
    id: 9,
    command: "kill",
    state: "awaiting_approval",
    requestedBy: "UREQ",
    expiresAt: new Date(NOW.getTime() + 60_000),
    approvalsNeeded: 2,
    approverRoles: ["commander", "admin"],
    approvedBy: [],
  };

  it("never lets the requester approve their own run, whatever their roles", () => {
    expect(decideApproval(run, "UREQ", roles("admin"), NOW)).toMatchObject({
      outcome: "refused",
      reason: expect.stringMatching(/You requested run #9, so you cannot approve it/),
    });
  });

  it("lets the requester withdraw their own run with Deny", () => {
    expect(decideApproval(run, "UREQ", roles(), NOW, "deny")).toEqual({
      outcome: "accepted",
      complete: true,
    });
  });

  it("needs an approver role, and counts approvals to the required number", () => {
    expect(decideApproval(run, "UX", roles("responder"), NOW)).toMatchObject({
      outcome: "refused",
      reason: expect.stringMatching(/needs one of: commander, admin/),
    });
    expect(decideApproval(run, "UA", roles("admin"), NOW)).toEqual({ outcome: "accepted", complete: false });
    expect(decideApproval({ ...run, approvedBy: ["UA"] }, "UB", roles("commander"), NOW)).toEqual({
      outcome: "accepted",
      complete: true,
    });
  });

  it("changes nothing when the same approver clicks twice", () => {
    expect(decideApproval({ ...run, approvedBy: ["UA"] }, "UA", roles("admin"), NOW)).toMatchObject({
      outcome: "unchanged",
    });
    expect(
      decideApproval({ ...run, state: "running", approvedBy: ["UA"] }, "UA", roles("admin"), NOW),
    ).toMatchObject({
      outcome: "unchanged",
    });
  });

  it("refuses an expired request and a replayed approval", () => {
    expect(decideApproval(run, "UA", roles("admin"), new Date(run.expiresAt!.getTime()))).toMatchObject({
      outcome: "refused",
      expired: true,
    });
    for (const state of ["succeeded", "denied", "expired", "interrupted", "running"])
      expect(decideApproval({ ...run, state }, "UA", roles("admin"), NOW)).toMatchObject({
        outcome: "refused",
      });
  });
});

describe("remediations pre-approved for alerts", () => {
  const auto = { ...policy, autoApproveForAlerts: { maxPerHour: 2, cooldownMs: 10 * 60_000 } };
  const ago = (min: number) => new Date(NOW.getTime() - min * 60_000);

  it("run without approval only while the alert fires, under the hourly limit and past the cooldown", () => {
    expect(decideAutoApproval({ policy: auto, alertFiring: true, recentAutoRuns: [], now: NOW })).toEqual({
      allowed: true,
      figures: {
        maxPerHour: 2,
        runsInLastHour: 0,
        cooldownMs: 600_000,
        lastAutoRunAt: null,
        alertFiring: true,
      },
    });
    expect(
      decideAutoApproval({ policy: auto, alertFiring: false, recentAutoRuns: [], now: NOW }),
    ).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/no longer firing/),
    });
    expect(
      decideAutoApproval({ policy: auto, alertFiring: true, recentAutoRuns: [ago(5)], now: NOW }),
    ).toMatchObject({
      reason: "cooldown: it ran on this target 5m ago, within its cooldown of 10m",
      figures: { runsInLastHour: 1, lastAutoRunAt: ago(5) },
    });
    expect(
      decideAutoApproval({ policy: auto, alertFiring: true, recentAutoRuns: [ago(50), ago(20)], now: NOW }),
    ).toMatchObject({
      reason: "hourly limit: it already ran 2 times on this target in the last hour (max_per_hour 2)",
      figures: { runsInLastHour: 2, maxPerHour: 2, lastAutoRunAt: ago(20) },
    });
    expect(
      decideAutoApproval({ policy: auto, alertFiring: true, recentAutoRuns: [ago(70), ago(20)], now: NOW }),
    ).toMatchObject({ allowed: true, figures: { runsInLastHour: 1 } });
  });

  it("count the cooldown from the last auto-approved run even when it is longer than an hour", () => {
    const long = { ...policy, autoApproveForAlerts: { maxPerHour: 5, cooldownMs: 3 * 3_600_000 } };
    expect(
      decideAutoApproval({ policy: long, alertFiring: true, recentAutoRuns: [ago(120)], now: NOW }),
    ).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^cooldown: it ran on this target 2h ago/),
    });
  });

  it("do not touch a busy target unasked", () => {
    expect(
      decideAutoApproval({
        policy: auto,
        alertFiring: true,
        recentAutoRuns: [],
        activeRunOnTarget: { id: 9, command: "k8s-scale" },
        now: NOW,
      }),
    ).toMatchObject({ allowed: false, reason: "target busy: run #9 (k8s-scale) is still in progress on it" });
  });

  it("are proposed for approval when not marked pre-approved", () => {
    expect(decideAutoApproval({ policy, alertFiring: true, recentAutoRuns: [], now: NOW })).toMatchObject({
      allowed: false,
    });
  });
});
