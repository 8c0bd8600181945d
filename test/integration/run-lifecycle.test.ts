import { pino } from "pino";
import { createIncidentNotifier, createRunNotifier } from "../support/wiring.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { builtInActions } from "../../src/catalog/action-registry.js";
import type { ActionDefinition } from "../../src/actions/types.js";
import { parseCommandFile } from "../../src/catalog/loader.js";
import { parseFirebreakConfig } from "../../src/config.js";
import { resolveTargets } from "../../src/config-schema/targets.js";
import type { Role } from "../../src/core/incident/roles.js";
import { decideOnRun } from "../../src/runs/approve-run.js";
import { runAlertRemediation, runAutoDiagnostics } from "../../src/runs/auto-runs.js";
import { createRunExecutor } from "../../src/runs/deps.js";
import type { RunDeps } from "../../src/runs/deps.js";
import { startRun } from "../../src/runs/execute-run.js";
import { createRedactor } from "../../src/runs/redact.js";
import { requestRun } from "../../src/runs/request-run.js";
import { getRun } from "../../src/store/runs/runs.js";
import { sweepRuns } from "../../src/runs/sweep-runs.js";
import { insertIncident, updateIncident } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { withTransaction } from "../../src/store/pool.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";

/** A remediation whose runs the test holds open, counting how many run and how many at once. */
const gate = { open: null as (() => void) | null, runs: 0, active: 0, maxActive: 0 };
let release: Promise<void> = Promise.resolve();
const hold = () => {
  release = new Promise<void>((resolve) => (gate.open = resolve));
};
const touch: ActionDefinition<{ key: string }, unknown> = {
  name: "test.touch",
  kind: "remediation",
  targetType: "redis",
  description: "Counts a run and waits for the test.",
  argsSchema: z.strictObject({ key: z.string(), expect: z.strictObject({ seen: z.number() }).optional() }),
  preview: async (_ctx, args) => ({ changes: [`touch ${args.key}`], expect: { seen: gate.runs } }),
  run: async () => {
    gate.runs++;
    gate.active++;
    gate.maxActive = Math.max(gate.maxActive, gate.active);
    try {
      await release;
    } finally {
      gate.active--;
    }
    return { summary: "touched" };
  },
};

const COMMAND = `
name: touch
title: Touch
description: Test remediation.
kind: remediation
target_type: redis
target: cache
parameters:
  - { name: key, type: string, description: key, pattern: "[a-z]{1,10}", default: a }
steps:
  - action: test.touch
    args: { key: "{{key}}" }
policy:
  request: [responder]
  approvals: { count: 1, roles: [commander, admin] }
  timeout: 10s
`;

const AUTO = COMMAND.replace("name: touch", "name: touch-auto")
  .replace("target: cache", "target: spare")
  .replace("  timeout: 10s", "  timeout: 10s\n  auto_approve_for_alerts: { max_per_hour: 2, cooldown: 10m }");
const PING = `
name: cache-ping
title: Ping
description: PING the cache.
kind: diagnostic
target_type: redis
target: cache
steps:
  - action: redis.ping
policy:
  request: [admin]
  channels: incident
`;

const ROLES: Record<string, Role[]> = { U0CAROL: ["responder"], U0BOB: ["commander"], U0ALICE: ["admin"] };
let db: TestDatabase;
let deps: RunDeps;
let incident: Incident;
let offsetMs = 0;
beforeAll(async () => {
  db = await createTestDatabase();
  const config = parseFirebreakConfig(
    `targets:\n  redis:\n    cache: { url: "redis://127.0.0.1:6379" }\n    spare: { url: "redis://127.0.0.1:6379" }\n`,
  );
  const targets = resolveTargets(config.targets, {});
  const actions = new Map(builtInActions());
  actions.set(touch.name, touch);
  const commands = [
    parseCommandFile(COMMAND, "touch.yaml", { targets, actions }),
    parseCommandFile(AUTO, "touch-auto.yaml", { targets, actions }),
    parseCommandFile(PING, "cache-ping.yaml", { targets, actions }),
  ];
  const log = pino({ level: "silent" });
  deps = {
    pool: db.pool,
    clock: { now: () => new Date(Date.now() + offsetMs) },
    config,
    log,
    roles: { rolesOf: async (u) => new Set(ROLES[u] ?? []) },
    notifier: createIncidentNotifier(),
    changeListeners: [],
    notices: createRunNotifier(),
    catalog: { commands: new Map(commands.map((c) => [c.name, c])) },
    targets,
    actions,
    redactor: createRedactor([]),
    executor: createRunExecutor(() => undefined),
  };
  incident = await withTransaction(db.pool, async (tx) => {
    const i = await insertIncident(tx, {
      title: "Runs",
      description: "",
      severity: "P1",
      source: "test",
      declaredBy: "U0CAROL",
      commander: "U0BOB",
      declaredAt: new Date(),
      checklist: [],
    });
    return updateIncident(tx, i.id, { channelId: "CRUNS", channelName: "inc-runs" });
  });
});
afterAll(async () => {
  gate.open?.();
  await deps?.executor.stop();
  await db?.drop();
});

const request = async () => {
  const r = await requestRun(deps, {
    command: "touch",
    params: {},
    actor: "U0CAROL",
    via: "slash",
    channelId: "CRUNS",
  });
  expect(r.status, r.message).toBe("accepted");
  await eventually(async () => (await getRun(db.pool, r.runId!))?.state === "awaiting_approval", "preview");
  return r.runId!;
};
const stateOf = async (id: number) => (await getRun(db.pool, id))!.state;
const events = async (kind: string, run: number) =>
  (await listTimeline(db.pool, incident.id)).filter(
    (e) => e.kind === kind && (e.data as { run_id?: number }).run_id === run,
  );

describe("a remediation run", () => {
  it("runs at most once per approval, however many approvals and starts race", async () => {
    hold();
    const before = gate.runs;
    const id = await request();
    await Promise.all([
      decideOnRun(deps, id, "U0BOB", "approve"),
      decideOnRun(deps, id, "U0ALICE", "approve"),
      decideOnRun(deps, id, "U0BOB", "approve"),
    ]);
    // Whichever start wins holds the run open; the others must return without running it.
    const starts = [startRun(deps, id), startRun(deps, id), startRun(deps, id)];
    await eventually(async () => (await stateOf(id)) === "running", "running");
    gate.open!();
    await Promise.all(starts);
    await deps.executor.idle();
    expect(await stateOf(id)).toBe("succeeded");
    expect(gate.runs - before).toBe(1);
    expect(await events("run.approved", id)).toHaveLength(1);
    expect(await events("run.started", id)).toHaveLength(1);
    expect((await events("run.approval_refused", id)).length).toBeGreaterThanOrEqual(1);
  });

  it("keeps one run per target at a time: a second approved run waits, then starts", async () => {
    hold();
    gate.maxActive = 0;
    const a = await request();
    const b = await request();
    await decideOnRun(deps, a, "U0BOB", "approve");
    await eventually(async () => (await stateOf(a)) === "running", "a running");
    expect(await decideOnRun(deps, b, "U0BOB", "approve")).toMatchObject({ status: "accepted" });
    await startRun(deps, b);
    expect(await stateOf(b)).toBe("approved");
    expect(await stateOf(a)).toBe("running");
    const refused = await requestRun(deps, {
      command: "touch",
      params: {},
      actor: "U0CAROL",
      via: "slash",
      channelId: "CRUNS",
    });
    expect(refused).toMatchObject({
      status: "refused",
      message: expect.stringMatching(/still in progress on that target/),
    });
    gate.open!();
    await eventually(async () => (await stateOf(b)) === "succeeded", "b ran after a");
    expect(gate.maxActive).toBe(1);
  });

  it("is marked interrupted when its process stopped mid-run, reported, and never re-run", async () => {
    hold();
    const before = gate.runs;
    const id = await request();
    await decideOnRun(deps, id, "U0BOB", "approve");
    await eventually(async () => (await stateOf(id)) === "running", "running");
    // The process that runs it is as good as dead: its deadline (timeout + grace) passes.
    offsetMs = 60_000;
    try {
      const report = await sweepRuns(deps);
      expect(report.interrupted).toEqual([id]);
    } finally {
      offsetMs = 0;
    }
    expect(await stateOf(id)).toBe("interrupted");
    expect(await events("run.interrupted", id)).toHaveLength(1);
    const posted = await db.pool.query(
      "SELECT args FROM slack_outbox WHERE method = 'chat.postMessage' AND args->>'text' LIKE $1",
      [`%run #${id}): interrupted%`],
    );
    expect(posted.rowCount).toBe(1);
    // A second sweep or start does nothing more; a late finish is recorded, not re-posted.
    expect((await sweepRuns(deps)).interrupted).toEqual([]);
    await startRun(deps, id);
    gate.open!();
    await deps.executor.idle();
    expect(await stateOf(id)).toBe("interrupted");
    expect(gate.runs - before).toBe(1);
    expect(await events("run.finished_late", id)).toHaveLength(1);
  });

  it("expires unapproved requests in the sweep and refuses a click after that", async () => {
    const id = await request();
    offsetMs = 16 * 60_000;
    try {
      expect((await sweepRuns(deps)).expired).toEqual([id]);
      const click = await decideOnRun(deps, id, "U0BOB", "approve");
      expect(click).toMatchObject({ status: "refused", message: expect.stringMatching(/has expired/) });
    } finally {
      offsetMs = 0;
    }
    expect(await events("run.started", id)).toHaveLength(0);
  });
});

describe("runs for alerts", () => {
  it("runs the diagnostics a routing rule names, with no requester role needed, in the incident", async () => {
    const [result] = await runAutoDiagnostics(deps, incident.id, ["cache-ping"], "alertmanager");
    expect(result).toMatchObject({ status: "accepted", incidentId: incident.id });
    await eventually(async () => (await stateOf(result!.runId!)) === "succeeded", "auto diagnostic ran");
    const [missing] = await runAutoDiagnostics(deps, incident.id, ["nope"], "alertmanager");
    expect(missing).toMatchObject({ status: "refused" });
  });

  it("never runs a remediation listed as a diagnostic, and says why in the timeline", async () => {
    const [refused] = await runAutoDiagnostics(deps, incident.id, ["touch-auto"], "alertmanager");
    expect(refused).toMatchObject({ status: "refused" });
    const recorded = (await listTimeline(db.pool, incident.id)).filter(
      (e) => e.kind === "run.refused" && (e.data as { command?: string }).command === "touch-auto",
    );
    expect(recorded.map((e) => (e.data as { reason: string }).reason)).toEqual([
      expect.stringMatching(
        /^touch-auto is a remediation: auto_diagnostics runs only diagnostics, so it was not run/,
      ),
    ]);
  });

  it("runs a pre-approved remediation while the alert fires, within its guardrails, else asks for approval", async () => {
    hold();
    gate.open!();
    const first = await runAlertRemediation(deps, incident.id, "touch-auto", {}, "alertmanager", {
      alertFiring: true,
    });
    await eventually(async () => (await stateOf(first.runId!)) === "succeeded", "pre-approved run");
    expect(await events("run.auto_approved", first.runId!)).toHaveLength(1);
    // Within the cooldown: proposed for approval instead.
    const second = await runAlertRemediation(deps, incident.id, "touch-auto", {}, "alertmanager", {
      alertFiring: true,
    });
    await eventually(async () => (await stateOf(second.runId!)) === "awaiting_approval", "proposed");
    await decideOnRun(deps, second.runId!, "U0BOB", "deny");
    const stopped = await runAlertRemediation(deps, incident.id, "touch-auto", {}, "alertmanager", {
      alertFiring: false,
    });
    await eventually(
      async () => (await stateOf(stopped.runId!)) === "awaiting_approval",
      "proposed when not firing",
    );
    const declined = (await listTimeline(db.pool, incident.id)).filter(
      (e) => e.kind === "run.auto_approval_declined",
    );
    expect(declined.map((e) => (e.data as { reason: string }).reason)).toEqual([
      expect.stringMatching(/cooldown/),
      "the alert is no longer firing",
    ]);
  });
});
