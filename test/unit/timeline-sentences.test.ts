import { describe, expect, it } from "vitest";
import { describeTimeline, tagsOf } from "../../src/core/postmortem/index.js";
import type { PostmortemEvent } from "../../src/core/postmortem/index.js";

const NAMES: Record<string, string> = { U0ALICE: "Alice", U0BOB: "Bob", U0CAROL: "Carol", U0DAVE: "Dave" };
const nameOf = (id: string) =>
  NAMES[id] ?? (id === "firebreak" ? "Firebreak" : id === "alertmanager" ? "Alertmanager" : id);
const t0 = Date.parse("2026-03-01T10:00:00Z");
let seq = 0;
const ev = (actor: string, kind: string, data: Record<string, unknown> = {}): PostmortemEvent => ({
  seq: ++seq,
  at: new Date(t0 + seq * 60_000),
  actor,
  kind,
  data,
});
const sentences = (events: PostmortemEvent[]) => describeTimeline(events, nameOf).map((d) => d.sentence);

describe("timeline events as sentences", () => {
  it("tells an escalation as a person would: who was paged, at which step, and why the next step came", () => {
    expect(
      sentences([
        ev("firebreak", "escalation.started", { policy: "default", run: 1, repeat: 0, steps: 3 }),
        ev("firebreak", "escalation.step", {
          policy: "default",
          run: 1,
          step: 0,
          repeat: 0,
          users: ["U0BOB"],
          ack_timeout_ms: 900_000,
        }),
        ev("firebreak", "page.sent", {
          page: 1,
          user: "U0BOB",
          reason: "escalation",
          run: 1,
          step: 0,
          repeat: 0,
        }),
        ev("firebreak", "escalation.step", {
          policy: "default",
          run: 1,
          step: 1,
          repeat: 0,
          users: ["U0CAROL"],
          ack_timeout_ms: 1_800_000,
        }),
        ev("firebreak", "page.sent", {
          page: 2,
          user: "U0CAROL",
          reason: "escalation",
          run: 1,
          step: 1,
          repeat: 0,
        }),
        ev("U0CAROL", "escalation.escalated", { from_step: 1, from_repeat: 0, run: 1 }),
        ev("firebreak", "escalation.step", {
          policy: "default",
          run: 1,
          step: 2,
          repeat: 0,
          users: ["U0DAVE"],
          ack_timeout_ms: 3_600_000,
        }),
        ev("firebreak", "escalation.empty_step", { step: 2, repeat: 0, reason: "nobody on call" }),
        ev("U0DAVE", "incident.acknowledged", { from: "declared", to: "acknowledged" }),
        ev("U0DAVE", "escalation.stopped", { reason: "acknowledged", run: 1 }),
      ]),
    ).toEqual([
      "Escalation started with policy default (3 steps)",
      "Escalation step 1 of 3 (policy default), paging Bob",
      "Paged Bob (step 1 of 3, policy default)",
      "Escalated to step 2: nobody acknowledged within 15m, paging Carol",
      "Paged Carol (step 2 of 3, policy default)",
      "Carol escalated to the next step",
      "Escalated to step 3: Carol escalated by hand, paging Dave",
      "Step 3 had nobody to page: passed over at once",
      "Dave acknowledged the incident",
      "Escalation stopped: the incident was acknowledged",
    ]);
  });

  it("says who ran a remediation and who approved it", () => {
    const run = { run_id: 7, command: "mysql-kill-connection", target: "orders-db" };
    expect(
      sentences([
        ev("U0CAROL", "run.requested", { ...run, params: { id: 4711 }, via: "slash" }),
        ev("firebreak", "run.previewed", { ...run, changes: ["KILL CONNECTION 4711 on orders-db"] }),
        ev("U0DAVE", "run.approval_refused", { ...run, reason: "You may not approve remediations." }),
        ev("U0BOB", "run.approved", { ...run, approvals: 1, needed: 1 }),
        ev("firebreak", "run.started", run),
        ev("firebreak", "run.succeeded", {
          ...run,
          outcome: "succeeded",
          summary: "killed 1 connection",
          duration_ms: 1200,
        }),
      ]),
    ).toEqual([
      "Carol asked to run mysql-kill-connection on orders-db (id=4711)",
      "Previewed mysql-kill-connection on orders-db: KILL CONNECTION 4711 on orders-db",
      "Dave could not approve run #7 (mysql-kill-connection): You may not approve remediations.",
      "Bob approved run #7 (mysql-kill-connection) (1 of 1)",
      "Run #7 (mysql-kill-connection) started on orders-db",
      "Carol ran mysql-kill-connection on orders-db, approved by Bob: succeeded in 1s (killed 1 connection)",
    ]);
  });

  it("turns Slack markup and alert events into plain sentences with names", () => {
    expect(
      sentences([
        ev("alertmanager", "incident.declared", {
          severity: "P1",
          title: "CheckoutHighErrorRate",
          source: "alertmanager",
        }),
        ev("alertmanager", "alert.added", {
          count: 2,
          alerts: [{ alertname: "CheckoutHighErrorRate" }, { alertname: "CheckoutHighErrorRate" }],
        }),
        ev("firebreak", "slack.message_posted", {
          text: ":eyes: <@U0BOB> acknowledged incident #4. See <https://x.example/r|the runbook>.",
        }),
        ev("U0BOB", "alert.silenced", { duration: "4h", endsAt: "2026-03-01T14:00:00.000Z" }),
        ev("alertmanager", "alert.resolved", { count: 1, alerts: [{ alertname: "CheckoutHighErrorRate" }] }),
        ev("alertmanager", "alert.all_resolved", { action: "notify" }),
      ]),
    ).toEqual([
      "Alertmanager opened a P1 incident: CheckoutHighErrorRate",
      "2 alerts started firing: CheckoutHighErrorRate",
      "Firebreak posted in Slack: Bob acknowledged incident #4. See the runbook.",
      "Bob silenced the group's alerts for 4h (until 2026-03-01 14:00 UTC)",
      "1 alert resolved: CheckoutHighErrorRate",
      "Every alert cleared: resolving is left to a person",
    ]);
  });

  it("describes every kind Firebreak records without showing JSON", () => {
    const kinds: [string, string, Record<string, unknown>][] = [
      ["U0ALICE", "incident.declared", { severity: "P2", title: "Login slow", commander: "U0BOB" }],
      ["U0BOB", "incident.mitigated", {}],
      ["U0BOB", "incident.resolved", { summary: "rolled back" }],
      ["U0BOB", "incident.reopened", {}],
      ["U0ALICE", "incident.severity_changed", { from: "P2", to: "P1" }],
      ["U0ALICE", "incident.role_assigned", { role: "comms", user: "U0CAROL", previous: null }],
      ["U0BOB", "incident.note", { text: "db failover started" }],
      ["U0BOB", "checklist.ticked", { item: 1, text: "Confirm the customer impact" }],
      ["U0BOB", "checklist.unticked", { item: 1, text: "Confirm the customer impact" }],
      ["U0DAVE", "command.refused", { command: "resolve", reason: "needs commander" }],
      ["U0BOB", "followup.added", { number: 1, text: "Add a canary" }],
      ["U0ALICE", "followup.done", { number: 1, text: "Add a canary" }],
      ["U0ALICE", "followup.reopened", { number: 1, text: "Add a canary" }],
      ["firebreak", "slack.channel_created", { channel: "C1", name: "inc-20260301-4-login-slow" }],
      ["firebreak", "slack.call_failed", { method: "chat.postMessage", error: "not_in_channel" }],
      ["alertmanager", "alert.received", { status: "firing", added: 1, resolved: 0, refired: 0 }],
      ["alertmanager", "alert.refired", { count: 1, alerts: [{ alertname: "X" }] }],
      ["alertmanager", "alert.storm_collected", { name: "X", firing: 3 }],
      ["firebreak", "escalation.none", { severity: "P3" }],
      ["firebreak", "escalation.exhausted", { policy: "default", paged_any: true }],
      ["U0CAROL", "page.requested", { target: { user: "U0BOB" }, users: ["U0BOB"] }],
      ["U0CAROL", "page.sent", { user: "U0BOB", reason: "adhoc" }],
      [
        "firebreak",
        "page.withdrawn",
        { user: "U0BOB", reason: "the incident was acknowledged before the DM went out" },
      ],
      ["firebreak", "page.webhook_dead_letter", { user: "U0BOB", attempts: 6, error: "HTTP 500" }],
      ["firebreak", "sla.breached", { severity: "P1", response_target_ms: 3_600_000 }],
      ["firebreak", "status_update.reminded", { interval_ms: 3_600_000 }],
      ["firebreak", "postmortem.reminded", { user: "U0BOB" }],
      ["U0CAROL", "run.denied", { run_id: 2, command: "x", withdrawn: true }],
      ["firebreak", "run.expired", { run_id: 3, command: "x" }],
      ["firebreak", "run.auto_approved", { run_id: 4, command: "x" }],
      ["firebreak", "run.interrupted", { run_id: 5, command: "x" }],
      ["firebreak", "run.preview_failed", { run_id: 6, command: "x", error: "timeout" }],
      ["U0DAVE", "run.refused", { command: "x", reason: "unknown command" }],
      [
        "U0CAROL",
        "oncall.override_added",
        {
          override: 1,
          schedule: "primary",
          user: "U0BOB",
          from: "2026-03-01T10:00:00Z",
          to: "2026-03-01T14:00:00Z",
        },
      ],
      ["U0CAROL", "oncall.override_removed", { override: 1, schedule: "primary", user: "U0BOB" }],
      ["firebreak", "heartbeat.missed", { name: "backups" }],
    ];
    const described = sentences(kinds.map(([a, k, d]) => ev(a, k, d)));
    described.forEach((s, i) => {
      expect(s, kinds[i]![1]).not.toMatch(/[{}[\]]|"|U0[A-Z]+/);
      expect(s.length, kinds[i]![1]).toBeGreaterThan(8);
    });
    expect(described[0]).toBe("Alice declared a P2 incident: Login slow, with Bob as commander");
    expect(described[21]).toBe("Paged Bob (asked by Carol)");
    expect(described.at(-1)).toBe("Firebreak: heartbeat missed");
  });

  it("tags events for the timeline filters", () => {
    expect(tagsOf(ev("U0BOB", "run.requested"))).toEqual(["people", "runs"]);
    expect(tagsOf(ev("alertmanager", "incident.declared"))).toEqual(["alerts"]);
    expect(tagsOf(ev("firebreak", "page.sent"))).toEqual(["pages"]);
    expect(tagsOf(ev("firebreak", "slack.message_posted"))).toEqual(["slack"]);
  });
});
