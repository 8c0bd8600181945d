import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { WORKSPACE_CHAIN } from "../../src/store/timeline/timeline-events.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import {
  botMessage,
  clickDecision,
  declareIncident,
  ephemeralFor,
  eventsOf,
  latestRun,
  requestRun,
  runConfig,
  runInState,
  slashRun,
} from "./run-helpers.js";

const STARTER = path.resolve(import.meta.dirname, "../../commands");
const TARGETS = `
targets:
  mysql:
    orders-db: { url: "mysql://root@127.0.0.1:3306/test" }
  redis:
    cache: { url: "redis://127.0.0.1:6379", allow_config: { maxmemory: { min: 0, max: 4gb } } }
`;

/** A diagnostic with a parameter of every type, and one whose string parameter reaches Redis. */
const PROBE = `
name: probe
title: Every parameter type
description: Process list, with a parameter of each type.
kind: diagnostic
target_type: mysql
target: "{{target}}"
parameters:
  - { name: target, type: target, description: server }
  - { name: command, type: enum, description: command, values: [Query, Sleep], default: Query }
  - { name: rows, type: integer, description: rows, min: 1, max: 200, default: 10 }
  - { name: window, type: duration, description: minimum age, min: 1s, max: 1h, default: 5m }
steps:
  - action: mysql.processlist
    args: { commands: "{{command}}", minTimeSeconds: "{{window}}", limit: "{{rows}}" }
policy:
  request: [responder, commander, admin]
`;
const PROBE_REDIS = `
name: probe-redis
title: A string parameter
description: CONFIG GET of one parameter.
kind: diagnostic
target_type: redis
target: cache
parameters:
  - { name: parameter, type: string, description: name, pattern: "[a-z-]{1,40}", default: maxmemory }
steps:
  - action: redis.config_get
    args: { parameters: "{{parameter}}" }
policy:
  request: [responder, commander, admin]
`;

let h: Harness;
let dir: string;
let redis: Redis;
let offsetMs = 0;
let incident: Incident;
let maxmemory: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fbt-run-security-"));
  writeFileSync(path.join(dir, "probe.yaml"), PROBE);
  writeFileSync(path.join(dir, "probe-redis.yaml"), PROBE_REDIS);
  copyFileSync(path.join(STARTER, "redis-set-maxmemory.yaml"), path.join(dir, "redis-set-maxmemory.yaml"));
  h = await startHarness({
    configYaml: runConfig(TARGETS),
    env: { FIREBREAK_COMMANDS_DIR: dir },
    clock: { now: () => new Date(Date.now() + offsetMs) },
  });
  redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
  await redis.connect();
  maxmemory = ((await redis.config("GET", "maxmemory")) as string[])[1]!;
  incident = await declareIncident(h, "P2 Security checks");
});
afterAll(async () => {
  redis?.disconnect();
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const runCount = async () => Number((await h.db.pool.query("SELECT count(*) AS n FROM runs")).rows[0].n);

/** Sends `/run text` and expects a refusal naming `reason`, no run, and the attempt on `chain`. */
async function expectRefused(text: string, reason: RegExp, opts: { user?: string; chain?: number } = {}) {
  const user = opts.user ?? "U0CAROL";
  const chain = opts.chain ?? incident.id;
  const channel = chain === WORKSPACE_CHAIN ? "C0INCIDENTS" : incident.channelId!;
  const runs = await runCount();
  const refusals = (await eventsOf(h, chain, "run.refused")).length;
  const mine = () =>
    h.emulator.messages(channel, { visibleTo: user }).filter((m) => m.ephemeral_for === user);
  const seen = mine().length;
  await slashRun(h, text, user, channel);
  const reply = await eventually(() => mine()[seen], `a reply to /run ${text}`);
  expect(reply.text, text).toMatch(reason);
  expect(reply.text).toMatch(/^:no_entry:/);
  expect(await runCount(), `nothing ran for ${text}`).toBe(runs);
  expect((await eventsOf(h, chain, "run.refused")).length, `the attempt is recorded: ${text}`).toBe(
    refusals + 1,
  );
}

const INJECTIONS = [
  "; rm -rf /",
  "$(id)",
  "`id`",
  "' OR '1'='1",
  '" OR ""="',
  "1; DROP TABLE runs",
  "1 UNION SELECT password FROM mysql.user",
  "Quеry", // Cyrillic е
  "１２", // fullwidth digits
  "Query\u200b", // zero-width space
  "Query\u202e", // right-to-left override
  "../../etc/passwd",
];

describe("injection attempts in every parameter type", () => {
  const label = (p: string) =>
    p.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  it.each(INJECTIONS.map((p) => [label(p), p]))(
    "refuses %s as an enum, an integer, a duration, a target and a pattern string",
    async (_label, payload) => {
      const quoted = `"${payload.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
      await expectRefused(
        `probe target=orders-db command=${quoted}`,
        /command: .*(not one of Query, Sleep|control or invisible)/,
      );
      await expectRefused(
        `probe target=orders-db rows=${quoted}`,
        /rows: .*(not a whole number|control or invisible)/,
      );
      await expectRefused(
        `probe target=orders-db window=${quoted}`,
        /window: .*(not a duration|control or invisible)/,
      );
      await expectRefused(
        `probe target=${quoted}`,
        /target: .*(not a configured target|control or invisible)/,
      );
      await expectRefused(
        `probe-redis parameter=${quoted}`,
        /parameter: .*(does not match the allowed form|control or invisible)/,
      );
    },
  );

  it("refuses a line break before anything is parsed, and records it", async () => {
    await expectRefused("probe target=orders-db\nrm -rf /", /one line/);
  });

  it("refuses out-of-bounds numbers, unknown and duplicated parameters", async () => {
    await expectRefused("probe target=orders-db rows=201", /rows: 201 is out of bounds: use 1–200/);
    await expectRefused("probe target=orders-db window=2h", /window: 2h is out of bounds/);
    await expectRefused("probe target=orders-db shell=sh", /probe has no parameter shell/);
    await expectRefused("probe rows=1 rows=2", /rows is given twice/);
  });

  it("still runs the command when the values are fine", async () => {
    const run = await requestRun(
      h,
      "probe target=orders-db command=sleep rows=5 window=90s",
      "U0CAROL",
      incident.channelId!,
    );
    expect(run.params).toEqual({ target: "orders-db", command: "Sleep", rows: 5, window: 90 });
    expect((await runInState(h, run.id, ["succeeded", "failed"])).state).toBe("succeeded");
  });
});

describe("who, where and what", () => {
  it("refuses an unknown command, recording it on the workspace chain outside incidents", async () => {
    await expectRefused("flushall", /There is no command `flushall`/, { chain: WORKSPACE_CHAIN });
  });

  it("refuses a remediation outside an incident channel", async () => {
    await expectRefused(
      `redis-set-maxmemory target=cache value=${maxmemory}`,
      /runs only in an incident channel/,
      {
        chain: WORKSPACE_CHAIN,
      },
    );
  });

  it("refuses someone without a requester role", async () => {
    await expectRefused(
      "probe target=orders-db",
      /You may not run probe: it needs one of: responder, commander, admin/,
      {
        user: "U0DAVE",
      },
    );
  });
});

describe("approvals", () => {
  const requestNoop = async () => {
    const run = await requestRun(
      h,
      `redis-set-maxmemory target=cache value=${maxmemory}`,
      "U0CAROL",
      incident.channelId!,
    );
    return runInState(h, run.id, ["awaiting_approval"]);
  };

  it("refuses self-approval and an approver without the role, at click time, and records both", async () => {
    const run = await requestNoop();
    await clickDecision(h, run, "U0CAROL", "approve");
    await ephemeralFor(h, "U0CAROL", `You requested run #${run.id}, so you cannot approve it`);
    await clickDecision(h, run, "U0DAVE", "approve");
    await ephemeralFor(
      h,
      "U0DAVE",
      `You may not approve run #${run.id}: that needs one of: commander, admin`,
    );
    expect((await latestRun(h))!.state).toBe("awaiting_approval");
    const refused = (await eventsOf(h, incident.id, "run.approval_refused")).filter(
      (e) => (e.data as { run_id: number }).run_id === run.id,
    );
    expect(refused.map((e) => e.actor)).toEqual(["U0CAROL", "U0DAVE"]);
    await clickDecision(h, run, "U0BOB", "deny");
    expect((await runInState(h, run.id, ["denied"])).state).toBe("denied");
  });

  it("runs a double-clicked Approve once, and refuses a replayed one", async () => {
    const run = await requestNoop();
    await Promise.all([clickDecision(h, run, "U0BOB", "approve"), clickDecision(h, run, "U0BOB", "approve")]);
    expect((await runInState(h, run.id, ["succeeded", "failed"])).state).toBe("succeeded");
    await clickDecision(h, run, "U0ALICE", "approve");
    await ephemeralFor(h, "U0ALICE", `Run #${run.id} has already run`);
    const mine = (kind: string) =>
      eventsOf(h, incident.id, kind).then((es) =>
        es.filter((e) => (e.data as { run_id: number }).run_id === run.id),
      );
    expect(await mine("run.approved")).toHaveLength(1);
    expect(await mine("run.started")).toHaveLength(1);
    expect(await mine("run.succeeded")).toHaveLength(1);
    expect(await redis.config("GET", "maxmemory")).toEqual(["maxmemory", maxmemory]);
  });

  it("expires an approval request: the buttons go, nothing runs, and the expiry is recorded", async () => {
    const run = await requestNoop();
    await botMessage(h, incident.channelId!, `run #${run.id}`, "approval message");
    offsetMs += 16 * 60_000;
    try {
      expect((await runInState(h, run.id, ["expired"])).startedAt).toBeNull();
      await eventually(
        () =>
          h.emulator
            .messages(incident.channelId!)
            .find(
              (m) =>
                JSON.stringify(m.blocks).includes(`run #${run.id}`) &&
                JSON.stringify(m.blocks).includes("Expired"),
            ),
        "the approval message updated",
      );
      const expired = await eventsOf(h, incident.id, "run.expired");
      expect(expired.some((e) => (e.data as { run_id: number }).run_id === run.id)).toBe(true);
    } finally {
      offsetMs = 0;
    }
  });
});
