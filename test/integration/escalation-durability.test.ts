import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import { systemClock } from "../../src/core/ports.js";
import { createTimerQueue } from "../../src/jobs/timer-queue.js";
import type { TimerQueue } from "../../src/jobs/timer-queue.js";
import { TimerScheduler } from "../../src/jobs/timer-scheduler.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import type { PagingContext } from "../../src/paging/context.js";
import { getEscalation, listPages } from "../../src/store/escalations/escalations.js";
import { declareWithPaging, pagingPorts } from "../support/wiring.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `fbtest-escalation-durability-${randomBytes(4).toString("hex")}`;
const log = createLogger("silent");

let db: TestDatabase;
let redis: Redis;
let config: FirebreakConfig;
const schedulers: TimerScheduler[] = [];

function context(): PagingContext {
  return {
    pool: db.pool,
    clock: systemClock,
    config,
    log,
    // Reconciles only when a test asks (and once on start), so what a test sees is what it did.
    settings: { ...DEFAULT_PAGING_SETTINGS, reconcileIntervalMs: 3_600_000 },
    ...pagingPorts(),
  };
}

async function startScheduler(): Promise<TimerScheduler> {
  const ctx = context();
  const queue = createTimerQueue({ redisUrl: REDIS_URL, prefix: PREFIX, log });
  const s = new TimerScheduler({ ctx, queue, databaseUrl: db.url, clock: systemClock, log });
  schedulers.push(s);
  await s.start();
  return s;
}

const declare = () => declareWithPaging(context(), "Queue stuck");

/** Stands in for FLUSHALL on a shared Redis: drops every key of this file's prefix. */
async function flushPrefix(): Promise<number> {
  let dropped = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${PREFIX}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length) dropped += await redis.del(...keys);
  } while (cursor !== "0");
  return dropped;
}

const pageCount = async (id: number) => (await listPages(db.pool, id)).length;
const dmCount = async (id: number) =>
  Number(
    (
      await db.pool.query(
        "SELECT count(*) AS n FROM slack_outbox WHERE incident_id = $1 AND channel_key LIKE 'dm:%'",
        [id],
      )
    ).rows[0].n,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(REDIS_URL);
  config = parseFirebreakConfig("timezone: UTC\nseverity_policies: {}\n");
  // Sub-second ack windows (config allows whole minutes) so real BullMQ delays stay short.
  config.paging.escalation_policies.default = {
    name: "default",
    repeat: 0,
    steps: [
      { notify: [{ kind: "user", userId: "U0FIRST" }], ackTimeoutMs: 300 },
      { notify: [{ kind: "user", userId: "U0SECOND" }], ackTimeoutMs: 300 },
    ],
  };
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
});
afterAll(async () => {
  await flushPrefix();
  redis.disconnect();
  await db?.drop();
});

describe("escalation timers on BullMQ, with Postgres as the state of record", () => {
  it("with Redis unreachable, the reconciler pages overdue escalations straight from Postgres, each person once", async () => {
    const unreachable: TimerQueue = {
      schedule: () => new Promise<void>(() => undefined),
      startWorker: () => undefined,
      close: async () => undefined,
    };
    const s = new TimerScheduler({
      ctx: context(),
      queue: unreachable,
      databaseUrl: db.url,
      clock: systemClock,
      log,
      redisTimeoutMs: 50,
    });
    schedulers.push(s);
    await s.start();
    const id = await declare();
    await s.reconcile();
    expect((await listPages(db.pool, id)).map((p) => p.userId)).toEqual(["U0FIRST"]);
    const due = (await getEscalation(db.pool, id))!.nextDueAt!.getTime();
    await eventually(() => Date.now() > due, "second step due");
    await Promise.all([s.reconcile(), s.reconcile()]);
    await s.reconcile();
    expect((await listPages(db.pool, id)).map((p) => p.userId)).toEqual(["U0FIRST", "U0SECOND"]);
    expect(await dmCount(id)).toBe(2);
  });

  it("pages through every step from delayed jobs alone, each person once", async () => {
    await startScheduler();
    const id = await declare();
    await eventually(
      async () => (await getEscalation(db.pool, id))?.status === "exhausted",
      "escalation ran out",
    );
    expect((await listPages(db.pool, id)).map((p) => p.userId)).toEqual(["U0FIRST", "U0SECOND"]);
    expect(await dmCount(id)).toBe(2);
  });

  it("after a Redis flush mid-escalation, the reconciler re-creates the timer: the page goes out once", async () => {
    const scheduler = await startScheduler();
    const id = await declare();
    await eventually(async () => (await pageCount(id)) === 1, "first page");
    await flushPrefix();
    expect(await redis.keys(`${PREFIX}:*`)).toEqual([]);
    const due = (await getEscalation(db.pool, id))!.nextDueAt!.getTime();
    await eventually(() => Date.now() > due, "second step due");
    await scheduler.reconcile();
    await eventually(
      async () => (await getEscalation(db.pool, id))?.status === "exhausted",
      "escalation ran out",
    );
    await scheduler.reconcile();
    expect((await listPages(db.pool, id)).map((p) => p.userId)).toEqual(["U0FIRST", "U0SECOND"]);
    expect(await dmCount(id)).toBe(2);
  });

  it("after a restart, timers that fell due while down are rebuilt on start and fire once", async () => {
    const first = await startScheduler();
    const id = await declare();
    await eventually(async () => (await pageCount(id)) === 1, "first page");
    await first.stop();
    schedulers.splice(schedulers.indexOf(first), 1);
    await flushPrefix();
    const due = (await getEscalation(db.pool, id))!.nextDueAt!.getTime();
    await eventually(() => Date.now() > due, "second step due while down");
    expect(await pageCount(id)).toBe(1);
    await startScheduler();
    await eventually(
      async () => (await getEscalation(db.pool, id))?.status === "exhausted",
      "escalation ran out",
    );
    expect(await dmCount(id)).toBe(2);
  });

  it("two worker replicas on one queue and one database page each person once", async () => {
    const a = await startScheduler();
    const b = await startScheduler();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await declare());
    // Both reconcile repeatedly while jobs are in flight: duplicates must collapse.
    await Promise.all([a.reconcile(), b.reconcile()]);
    for (const id of ids)
      await eventually(
        async () => (await getEscalation(db.pool, id))?.status === "exhausted",
        `incident ${id} ran out`,
      );
    await Promise.all([a.reconcile(), b.reconcile()]);
    for (const id of ids) {
      expect((await listPages(db.pool, id)).map((p) => p.userId)).toEqual(["U0FIRST", "U0SECOND"]);
      expect(await dmCount(id)).toBe(2);
    }
  });
});
