import { createConnection, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import { systemClock } from "../../src/core/ports.js";
import { TimerScheduler } from "../../src/jobs/timer-scheduler.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import { TIMER_CHANNEL } from "../../src/paging/timer-job.js";
import type { TimerJob } from "../../src/paging/timer-job.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { PG_BASE } from "../support/db-names.js";
import { eventually } from "../support/harness.js";
import { heldTimerQueue, pagingPorts } from "../support/wiring.js";

const log = createLogger("silent");
let db: TestDatabase;
const schedulers: TimerScheduler[] = [];

/**
 * A door to the test Postgres on a port of its own that can be shut (connections refused,
 * as while Postgres restarts) and opened, and whose connections can be cut.
 */
async function postgresDoor() {
  const target = new URL(PG_BASE);
  const probe = createServer();
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, "127.0.0.1", () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    }),
  );
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  return {
    url: (database: string) => `postgres://${target.username || "postgres"}@127.0.0.1:${port}/${database}`,
    async open() {
      server = createServer((client) => {
        const upstream = createConnection(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => undefined);
          s.on("close", () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    },
    /** Cuts every connection through the door (a Postgres restart, a network blip). */
    cut() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      this.cut();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
});
afterAll(async () => {
  await db?.drop();
});

/** Announces a timer as a committed change does, until the scheduler hands it to BullMQ. */
async function announcedAndHeard(queue: ReturnType<typeof heldTimerQueue>, dueAt: number): Promise<void> {
  const job: TimerJob = { type: "timer", timerId: 1, dueAt };
  await eventually(
    async () => {
      await db.pool.query("SELECT pg_notify($1, $2)", [TIMER_CHANNEL, JSON.stringify(job)]);
      return queue.held.some((j) => j.dueAt === dueAt);
    },
    "the announced timer scheduled",
    15_000,
  );
}

describe("the timer scheduler's NOTIFY connection", () => {
  it("a worker starting while Postgres refuses connections starts anyway, and listens once Postgres is back", async () => {
    const door = await postgresDoor();
    try {
      const queue = heldTimerQueue();
      const s = new TimerScheduler({
        ctx: {
          pool: db.pool,
          clock: systemClock,
          config: parseFirebreakConfig("timezone: UTC\n"),
          log,
          settings: { ...DEFAULT_PAGING_SETTINGS, reconcileIntervalMs: 3_600_000 },
          ...pagingPorts(),
        },
        queue,
        databaseUrl: door.url(db.name),
        clock: systemClock,
        log,
      });
      schedulers.push(s);
      await expect(s.start()).resolves.toBeUndefined();
      await door.open();
      await announcedAndHeard(queue, 1_000);
      // Cut again (Postgres restarting): it reconnects by itself.
      door.cut();
      await announcedAndHeard(queue, 2_000);
    } finally {
      await door.close();
    }
  });
});
