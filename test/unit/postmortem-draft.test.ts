import { describe, expect, it } from "vitest";
import { draftPostmortem, postmortemToMarkdown } from "../../src/core/postmortem/index.js";
import type { PostmortemEvent, PostmortemIncident } from "../../src/core/postmortem/index.js";

const t0 = new Date("2026-03-01T10:00:00.000Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const incident = (over: Partial<PostmortemIncident> = {}): PostmortemIncident => ({
  id: 7,
  title: "Checkout failing",
  description: "5xx on /checkout",
  severity: "P1",
  state: "resolved",
  source: "alertmanager",
  declaredBy: "alertmanager",
  commander: "U0BOB",
  declaredAt: t0,
  acknowledgedAt: at(4),
  acknowledgedBy: "U0BOB",
  mitigatedAt: at(20),
  resolvedAt: at(62),
  resolvedBy: "U0BOB",
  resolutionSummary: "rolled back",
  checklist: [{ text: "Confirm the customer impact", doneBy: "U0BOB" }, { text: "Write the postmortem" }],
  ...over,
});

let seq = 0;
const ev = (
  minutes: number,
  actor: string,
  kind: string,
  data: Record<string, unknown> = {},
): PostmortemEvent => ({
  seq: ++seq,
  at: at(minutes),
  actor,
  kind,
  data,
});

const events: PostmortemEvent[] = [
  ev(0, "alertmanager", "incident.declared", {
    severity: "P1",
    title: "Checkout failing",
    source: "alertmanager",
  }),
  ev(0, "alertmanager", "alert.firing", { labels: { alertname: "CheckoutErrors" } }),
  ev(0, "firebreak", "slack.message_posted", { text: "noise" }),
  ev(4, "U0BOB", "incident.acknowledged", { from: "declared", to: "acknowledged" }),
  ev(8, "U0CAROL", "run.requested", { runId: "r1", command: "k8s.rollout_restart" }),
  ev(9, "U0ALICE", "run.approved", { runId: "r1", command: "k8s.rollout_restart" }),
  ev(10, "firebreak", "run.succeeded", { runId: "r1", command: "k8s.rollout_restart" }),
  ev(12, "U0CAROL", "run.failed", { runId: "r2", command: "mysql.processlist", error: "timeout" }),
  ev(15, "U0DAVE", "command.refused", { command: "resolve", reason: "not allowed" }),
  ev(30, "U0BOB", "incident.note", { text: "TODO: add a canary stage" }),
  ev(62, "U0BOB", "incident.resolved", { summary: "rolled back" }),
];

const NAMES: Record<string, string> = { U0BOB: "Bob Baker", U0CAROL: "Carol Chen", U0ALICE: "Alice Archer" };
const nameOf = (id: string) => NAMES[id] ?? (id === "alertmanager" ? "Alertmanager" : id);

describe("drafting a postmortem from the timeline", () => {
  const draft = draftPostmortem(incident(), events, { now: at(90), responseTargetMs: 60_000, nameOf });

  it("measures time to acknowledge, mitigate and resolve from the declaration", () => {
    expect(draft.timeToAcknowledgeMs).toBe(4 * 60_000);
    expect(draft.timeToMitigateMs).toBe(20 * 60_000);
    expect(draft.timeToResolveMs).toBe(62 * 60_000);
  });

  it("opens with a summary paragraph a reviewer can read: who, what, how fast, with names", () => {
    expect(draft.summary).toBe(
      "On Sunday 1 March 2026 at 10:00 (UTC), Alertmanager opened a P1 incident: “Checkout failing”. " +
        "Bob Baker acknowledged it after 4m. " +
        "It was mitigated after 20m and resolved after 1h 2m by Bob Baker: “rolled back”. " +
        "2 commands ran (1 failed). The P1 response target of 1m was missed. Bob Baker was the commander.",
    );
  });

  it("names the alerts and the duration in the impact", () => {
    expect(draft.impact).toContain("P1 for 1h 2m.");
    expect(draft.impact).toContain("Alerts: CheckoutErrors.");
  });

  it("lists the actions run, one per run, with their last outcome and approver", () => {
    expect(draft.actionsRun).toEqual([
      expect.objectContaining({
        command: "k8s.rollout_restart",
        outcome: "succeeded",
        actor: "Carol Chen",
        approvedBy: "Alice Archer",
      }),
      expect.objectContaining({ command: "mysql.processlist", outcome: "failed" }),
    ]);
  });

  it("keeps the timeline readable: the page's sentences with names, offsets from declaration, no Slack delivery noise", () => {
    expect(draft.timeline.map((t) => t.text).join("\n")).not.toContain("noise");
    expect(draft.timeline.find((t) => t.text === "Bob Baker acknowledged the incident")?.offset).toBe("T+4m");
    expect(draft.timeline.map((t) => t.text)).toContain(
      "Carol Chen ran k8s.rollout_restart, approved by Alice Archer: succeeded",
    );
    expect(draft.timeline.at(-1)).toMatchObject({
      offset: "T+1h 2m",
      actor: "Bob Baker",
      text: "Bob Baker resolved the incident: rolled back",
    });
  });

  it("suggests follow-ups from notes, open checklist items, a missed target, failed runs and refusals", () => {
    expect(draft.suggestedFollowUps).toEqual(
      expect.arrayContaining([
        "add a canary stage",
        "Checklist item left open: Write the postmortem",
        expect.stringContaining("beyond the P1 response target of 1m"),
        "Investigate 1 failed run(s): mysql.processlist.",
        "Review 1 refused command(s): were the permissions right?",
      ]),
    );
  });

  it("measures an open incident up to now and says it is not over", () => {
    const open = draftPostmortem(
      incident({ state: "acknowledged", mitigatedAt: null, resolvedAt: null, resolutionSummary: null }),
      events.slice(0, 4),
      { now: at(30) },
    );
    expect(open.timeToResolveMs).toBeNull();
    expect(open.summary).toContain("It is still acknowledged.");
    expect(open.impact).toContain("P1 for 30m so far.");
    expect(open.suggestedFollowUps.at(-1)).toContain("still acknowledged");
  });

  it("renders every section as Markdown", () => {
    const md = postmortemToMarkdown(draft);
    for (const heading of [
      "## Summary",
      "## Impact",
      "## Response times",
      "## Timeline (UTC)",
      "## Actions run",
      "## Follow-ups",
    ])
      expect(md).toContain(heading);
    expect(md).toContain("- Time to acknowledge: 4m");
    expect(md).toContain("k8s.rollout_restart by Carol Chen: succeeded (approved by Alice Archer)");
    expect(md).toContain("### Suggested from the timeline\n\n- add a canary stage");
  });

  it("lists the recorded follow-ups as a checklist, ticked ones with who ticked them", () => {
    const withFollowUps = draftPostmortem(incident(), events, {
      now: at(90),
      nameOf,
      followUps: [
        { number: 1, text: "Add a canary stage", createdBy: "U0CAROL", doneBy: "U0BOB", doneAt: at(80) },
        { number: 2, text: "Alert on checkout latency", createdBy: "U0BOB", doneBy: null, doneAt: null },
      ],
    });
    const md = postmortemToMarkdown(withFollowUps);
    expect(md).toContain("- [x] 1. Add a canary stage (added by Carol Chen; done, ticked by Bob Baker)");
    expect(md).toContain("- [ ] 2. Alert on checkout latency (added by Bob Baker)");
  });

  it("tells what alert routing did on its own: diagnostics, the self-heal with its approver and outcome, who was paged", () => {
    const healed = [
      ev(0, "alertmanager", "incident.declared", {
        severity: "P1",
        title: "Redis memory",
        source: "alertmanager",
      }),
      ev(0, "alertmanager", "self_heal.planned", { command: "redis-set-maxmemory", paging: "held until …" }),
      ev(0, "alertmanager", "run.requested", { run_id: 1, command: "redis-info", kind: "diagnostic" }),
      ev(0, "firebreak", "run.succeeded", { run_id: 1, command: "redis-info" }),
      ev(1, "alertmanager", "run.requested", {
        run_id: 2,
        command: "redis-set-maxmemory",
        kind: "remediation",
        target: "cache",
        auto_approved: true,
      }),
      ev(1, "policy", "run.auto_approved", {
        run_id: 2,
        command: "redis-set-maxmemory",
        approved_by: "policy (auto_approve_for_alerts of redis-set-maxmemory)",
        guardrail: { max_per_hour: 2, runs_in_last_hour: 1, cooldown_ms: 600_000 },
      }),
      ev(1, "firebreak", "run.succeeded", { run_id: 2, command: "redis-set-maxmemory" }),
      ev(1, "alertmanager", "self_heal.succeeded", {
        command: "redis-set-maxmemory",
        changes: ["maxmemory 1gb → 2gb on cache"],
      }),
      ev(4, "alertmanager", "self_heal.healed", { command: "redis-set-maxmemory", seconds: 42, paged: [] }),
    ];
    const d = draftPostmortem(incident({ acknowledgedAt: null }), healed, { now: at(10) });
    expect(d.automation).toEqual({
      diagnostics: [{ command: "redis-info", outcome: "succeeded" }],
      selfHeal: {
        command: "redis-set-maxmemory",
        target: "cache",
        approver: "the policy (auto_approve_for_alerts: 1 of 2 runs in the last hour, cooldown 10m)",
        outcome: "healed: the alert cleared 42 s after the incident opened, once the fix had run",
      },
      paged: [],
    });
    expect(d.actionsRun.find((r) => r.command === "redis-set-maxmemory")?.approvedBy).toBe(
      "policy (auto_approve_for_alerts of redis-set-maxmemory)",
    );
    const md = postmortemToMarkdown(d);
    expect(md).toContain("## Alert automation");
    expect(md).toContain("- Nobody was paged.");
    expect(d.timeline.map((t) => t.text)).toContain(
      "Self-healed by redis-set-maxmemory in 42 s; nobody was paged",
    );

    // A fix a guardrail refused, offered and approved by the person paged; a failed one's follow-up.
    const offered = [
      ev(0, "alertmanager", "self_heal.planned", { command: "k8s-rollback" }),
      ev(0, "alertmanager", "run.requested", {
        run_id: 5,
        command: "k8s-rollback",
        kind: "remediation",
        target: "shop",
      }),
      ev(0, "alertmanager", "self_heal.not_run", {
        command: "k8s-rollback",
        reason: "cooldown: …",
        offered_for_approval: 5,
      }),
      ev(0, "firebreak", "page.sent", { user: "U0ALICE" }),
      ev(2, "U0ALICE", "run.approved", { run_id: 5, command: "k8s-rollback" }),
      ev(3, "firebreak", "run.succeeded", { run_id: 5, command: "k8s-rollback" }),
    ];
    const o = draftPostmortem(incident(), offered, { now: at(10), nameOf: (id) => NAMES[id] ?? id });
    expect(o.automation?.selfHeal).toMatchObject({
      approver: "Alice Archer",
      outcome: "run after Alice Archer approved it: succeeded",
    });
    expect(o.automation?.paged).toEqual(["Alice Archer"]);
    expect(draftPostmortem(incident(), events, { now: at(90) }).automation).toBeNull();
  });
});
