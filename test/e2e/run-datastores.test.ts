import { Redis } from "ioredis";
import { startPrivateRedis } from "../support/private-redis.js";
import type { PrivateRedis } from "../support/private-redis.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import {
  botMessage,
  clickDecision,
  declareIncident,
  eventsOf,
  requestRun,
  runConfig,
  runInState,
} from "./run-helpers.js";

const TARGETS = `
targets:
  redis:
    cache:
      url: "REDIS_URL_PLACEHOLDER"
      allow_config:
        maxmemory: { min: 0, max: 4gb }
  postgres:
    ledger:
      url_env: FBT_LEDGER_URL
`;

let h: Harness;
let ledger: TestDatabase;
let redis: Redis;
let originalMaxmemory: string;
// CONFIG SET maxmemory is server-wide: the target is a Redis of this file's own.
let server: PrivateRedis;
beforeAll(async () => {
  ledger = await createTestDatabase();
  server = await startPrivateRedis();
  redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
  originalMaxmemory = ((await redis.config("GET", "maxmemory")) as string[])[1]!;
  h = await startHarness({
    configYaml: runConfig(TARGETS.replace("REDIS_URL_PLACEHOLDER", server.url)),
    env: { FBT_LEDGER_URL: ledger.url },
  });
});
afterAll(async () => {
  if (originalMaxmemory !== undefined) await redis?.config("SET", "maxmemory", originalMaxmemory);
  redis?.disconnect();
  await h?.stop();
  await ledger?.drop();
  await server?.stop();
});

const maxmemory = async () => ((await redis.config("GET", "maxmemory")) as string[])[1];

describe("Redis from an incident channel", () => {
  it("sets maxmemory through an approved run and restores it through another", async () => {
    const incident = await declareIncident(h, "P2 Cache evicting hot keys");
    const channel = incident.channelId!;
    const raise = await requestRun(h, "redis-set-maxmemory target=cache value=123mb", "U0CAROL", channel);
    const pending = await runInState(h, raise.id, ["awaiting_approval"]);
    expect(pending.preview?.changes[0]).toMatch(/^maxmemory .* → 123mb on cache$/);
    expect(await maxmemory()).toBe(originalMaxmemory);
    await clickDecision(h, pending, "U0ALICE", "approve");
    const raised = await runInState(h, raise.id, ["succeeded", "failed"]);
    expect(raised.state, raised.outcome?.error).toBe("succeeded");
    expect(await maxmemory()).toBe("128974848");

    const restore = await requestRun(
      h,
      `redis-set-maxmemory target=cache value=${originalMaxmemory}`,
      "U0CAROL",
      channel,
    );
    await clickDecision(h, await runInState(h, restore.id, ["awaiting_approval"]), "U0BOB", "approve");
    const restored = await runInState(h, restore.id, ["succeeded", "failed"]);
    expect(restored.state, restored.outcome?.error).toBe("succeeded");
    expect(await maxmemory()).toBe(originalMaxmemory);
    expect((await eventsOf(h, incident.id, "run.approved")).map((e) => e.actor)).toEqual([
      "U0ALICE",
      "U0BOB",
    ]);
  });
});

describe("Postgres from an incident channel", () => {
  it("reports a lock chain built by two sessions, root blocker first", async () => {
    const incident = await declareIncident(h, "P1 Ledger writes hanging");
    const blocker = new pg.Client({ connectionString: ledger.url, application_name: "fbt-blocker" });
    const waiter = new pg.Client({ connectionString: ledger.url, application_name: "fbt-waiter" });
    await blocker.connect();
    await waiter.connect();
    try {
      await blocker.query("CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, balance int)");
      await blocker.query("INSERT INTO accounts VALUES (1, 100) ON CONFLICT DO NOTHING");
      await blocker.query("BEGIN");
      await blocker.query("UPDATE accounts SET balance = balance - 1 WHERE id = 1");
      const blockerPid = (await blocker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!
        .pid;
      const waiterPid = (await waiter.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      const waiting = waiter
        .query("UPDATE accounts SET balance = balance + 1 WHERE id = 1")
        .catch((e: Error) => e);
      await eventually(async () => {
        const r = await ledger.pool.query(
          "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
          [waiterPid],
        );
        return r.rowCount === 1;
      }, "the second session to wait");

      const run = await requestRun(h, "postgres-locks target=ledger", "U0CAROL", incident.channelId!);
      const done = await runInState(h, run.id, ["succeeded", "failed"]);
      expect(done.state, done.outcome?.error).toBe("succeeded");
      const posted = await botMessage(h, incident.channelId!, `run #${run.id}`, "lock chains posted");
      const text = JSON.stringify(posted.blocks);
      expect(text).toContain(String(blockerPid));
      expect(text).toContain(String(waiterPid));
      expect(text.indexOf(String(blockerPid))).toBeLessThan(text.indexOf(String(waiterPid)));
      await blocker.query("ROLLBACK");
      expect(await waiting).not.toBeInstanceOf(Error);
    } finally {
      await blocker.end().catch(() => undefined);
      await waiter.end().catch(() => undefined);
    }
  });
});
