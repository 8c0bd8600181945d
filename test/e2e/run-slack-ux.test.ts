import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident } from "../../src/store/incidents/incidents.js";
import { WORKSPACE_CHAIN, listTimeline } from "../../src/store/timeline/timeline-events.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import {
  botMessage,
  declareIncident,
  ephemeralFor,
  latestRun,
  requestRun,
  runConfig,
  runInState,
} from "./run-helpers.js";

const STARTER = path.resolve(import.meta.dirname, "../../commands");
const SECRET = "topsecret-pw-4711";
const TARGETS = `
targets:
  redis:
    cache: { url: "redis://127.0.0.1:6379", allow_config: { maxmemory: { min: 0, max: 4gb } } }
    broken: { url_env: FBT_BROKEN_REDIS }
`;

/** Every INFO section at once: more than a message holds. */
const EVERYTHING = `
name: redis-everything
title: Every Redis INFO section
description: All of INFO, one section per step.
kind: diagnostic
target_type: redis
target: "{{target}}"
parameters:
  - { name: target, type: target, description: server }
steps:
${["server", "clients", "memory", "stats", "replication", "keyspace"].map((s) => `  - { action: redis.info, args: { section: ${s} } }`).join("\n")}
policy:
  request: [responder, commander, admin]
`;

/** No input needed: a fixed target and no parameters. */
const CACHE_PING = `
name: cache-ping
title: Ping the cache
description: PING the cache.
kind: diagnostic
target_type: redis
target: cache
steps:
  - action: redis.ping
policy:
  request: [responder]
`;

let h: Harness;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fbt-run-ux-"));
  cpSync(STARTER, dir, { recursive: true });
  writeFileSync(path.join(dir, "redis-everything.yaml"), EVERYTHING);
  writeFileSync(path.join(dir, "cache-ping.yaml"), CACHE_PING);
  h = await startHarness({
    configYaml: runConfig(TARGETS),
    env: { FIREBREAK_COMMANDS_DIR: dir, FBT_BROKEN_REDIS: `redis://:${SECRET}@127.0.0.1:1` },
  });
});
afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("/run help", () => {
  it("lists the catalog, and explains one command's parameters and policy", async () => {
    const list = await h.sender.slashCommand({
      command: "/run",
      text: "help",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    expect(JSON.stringify(list.json)).toContain("mysql-kill-connection");
    expect(JSON.stringify(list.json)).toContain("needs approval");
    const one = await h.sender.slashCommand({
      command: "/run",
      text: "help redis-set-maxmemory",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    const text = JSON.stringify(one.json);
    expect(text).toContain("target: broken, cache");
    expect(text).toContain("approvals: 1 from commander, admin (never the requester)");
  });
});

describe("diagnostics outside an incident", () => {
  it("answer the requester only, and record the run on the workspace chain", async () => {
    const run = await requestRun(h, "redis-ping target=cache count=2", "U0CAROL", "C0INCIDENTS");
    expect((await runInState(h, run.id, ["succeeded", "failed"])).state).toBe("succeeded");
    await ephemeralFor(h, "U0CAROL", `redis-ping on cache (run #${run.id}): succeeded`);
    const kinds = (await listTimeline(h.db.pool, WORKSPACE_CHAIN)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["run.requested", "run.started", "run.succeeded"]));
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/firebreak_runs_total\{command="redis-ping",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/firebreak_run_duration_seconds_count\{command="redis-ping"\} [1-9]/);
  });
});

describe("long output", () => {
  it("is posted as an excerpt and uploaded whole as a file whose SHA-256 the timeline records", async () => {
    const incident = await declareIncident(h, "P3 Cache looks odd");
    const run = await requestRun(h, "redis-everything target=cache", "U0CAROL", incident.channelId!);
    const done = await runInState(h, run.id, ["succeeded", "failed"]);
    expect(done.state, done.outcome?.error).toBe("succeeded");
    const message = await botMessage(h, incident.channelId!, `run #${run.id}`, "result posted");
    expect(JSON.stringify(message.blocks)).toContain("full output in the attached file");
    const file = await eventually(
      () =>
        [...h.emulator.state.files.values()].find(
          (f) =>
            f.completed &&
            f.name === `run-${run.id}-redis-everything.txt` &&
            f.channels.includes(incident.channelId!),
        ),
      "the output file shared in the channel",
    );
    const digest = createHash("sha256").update(file.content!).digest("hex");
    expect(digest).toBe(done.outcome?.digest);
    const finished = (await listTimeline(h.db.pool, incident.id)).find(
      (e) => e.kind === "run.succeeded" && (e.data as { run_id: number }).run_id === run.id,
    )!;
    expect((finished.data as { output_sha256: string }).output_sha256).toBe(digest);
    expect((finished.data as { excerpt: string }).excerpt.length).toBeLessThanOrEqual(500);
  });
});

describe("secrets", () => {
  it("never reach Slack or the timeline, even when a run fails on a URL that holds one", async () => {
    const incident = await declareIncident(h, "P3 Broken cache");
    const run = await requestRun(h, "redis-ping target=broken", "U0CAROL", incident.channelId!);
    expect((await runInState(h, run.id, ["succeeded", "failed"])).state).toBe("failed");
    await botMessage(h, incident.channelId!, `run #${run.id}`, "failure posted");
    const slack =
      JSON.stringify(h.emulator.calls) +
      JSON.stringify(h.emulator.channels().map((c) => h.emulator.messages(c.id)));
    expect(slack).not.toContain(SECRET);
    const timeline = JSON.stringify(await h.db.pool.query("SELECT data FROM timeline_events"));
    expect(timeline).not.toContain(SECRET);
    expect(JSON.stringify((await latestRun(h))!.outcome)).not.toContain(SECRET);
  });
});

describe("the incident summary's command picker", () => {
  it("runs a diagnostic that needs no input at once, and opens a form for one that does", async () => {
    const incident = await declareIncident(h, "P2 Picker");
    const summary = (await getIncident(h.db.pool, incident.id))!;
    const pinned = await eventually(
      () => h.emulator.messages(summary.channelId!).find((m) => m.ts === summary.summaryTs),
      "summary",
    );
    expect(JSON.stringify(pinned.blocks)).toContain('"action_id":"run.pick"');

    const pick = (command: string) =>
      h.sender.selectOption({
        userId: "U0CAROL",
        channelId: summary.channelId!,
        messageTs: summary.summaryTs!,
        actionId: "run.pick",
        selectedValue: `${incident.id}:${command}`,
      });
    const ranBefore = (await latestRun(h))?.id ?? 0;
    await pick("cache-ping");
    const ping = await eventually(async () => {
      const r = await latestRun(h);
      return r && r.id > ranBefore ? r : null;
    }, "the picked diagnostic");
    expect(ping).toMatchObject({ command: "cache-ping", incidentId: incident.id, via: "button" });
    await botMessage(h, summary.channelId!, `run #${ping.id}`, "picked diagnostic posted");

    // Two redis targets: the remediation's form asks which one, and for the value.
    const open = h.emulator.callsTo("views.open").length;
    await pick("redis-set-maxmemory");
    await eventually(() => h.emulator.callsTo("views.open").length > open, "the form opened");
    const view = h.emulator.views("U0CAROL").at(-1)!;
    expect(view.callback_id).toBe("run.modal");
    const before = (await latestRun(h))?.id ?? 0;
    const sub = await h.sender.submitView({
      userId: "U0CAROL",
      viewId: view.id,
      values: { param_target: { value: "cache" }, param_value: { value: "999999999999999999999" } },
    });
    expect(sub.status).toBe(200);
    await ephemeralFor(h, "U0CAROL", /value: .*(at most|does not match)/);
    expect((await latestRun(h))?.id ?? 0).toBe(before);
  });
});
