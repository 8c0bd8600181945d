import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import { TimerScheduler, runTimerJob } from "../../src/jobs/timer-scheduler.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import type { PagingContext } from "../../src/paging/context.js";
import type { TimerJob } from "../../src/paging/timer-job.js";
import { getEscalation, listPages } from "../../src/store/escalations/escalations.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";
import { declareWithPaging, heldTimerQueue, pagingPorts } from "../support/wiring.js";

const log = createLogger("silent");
const MIN = 60_000;

let db: TestDatabase;
let config: FirebreakConfig;
let t0 = 0;
const clock = { ms: 0, now: () => new Date(clock.ms) };
const schedulers: TimerScheduler[] = [];
/** Incidents whose escalation transaction fails (a worker meeting an error every time). */
const failing = new Set<number>();
const attempts = new Map<number, number>();

function context(): PagingContext {
  return {
    pool: db.pool,
    clock,
    config,
    log,
    // The reconciler runs only as the scheduler starts: what a test sees is the sweep's doing.
    settings: { ...DEFAULT_PAGING_SETTINGS, reconcileIntervalMs: 3_600_000 },
    ...pagingPorts(),
    async beforeCommit(incidentId) {
      attempts.set(incidentId, (attempts.get(incidentId) ?? 0) + 1);
      if (failing.has(incidentId)) throw new Error(`incident ${incidentId}: the page cannot be committed`);
    },
  };
}

async function startScheduler(): Promise<TimerScheduler & { queue: ReturnType<typeof heldTimerQueue> }> {
  const queue = heldTimerQueue();
  const s = new TimerScheduler({ ctx: context(), queue, databaseUrl: db.url, clock, log });
  schedulers.push(s);
  await s.start();
  return Object.assign(s, { queue });
}

const declare = () => declareWithPaging(context(), "Disk full");

const pagedUsers = async (id: number) => (await listPages(db.pool, id)).map((p) => p.userId);
/** Pages of incident `id` queued as Slack DMs (several pages to one person share one DM). */
const dmCount = async (id: number) =>
  (
    await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM slack_outbox WHERE kind = 'page.dm' AND incident_id = $1",
      [id],
    )
  ).rows[0]!.n;

beforeAll(async () => {
  db = await createTestDatabase();
  config = parseFirebreakConfig("timezone: UTC\nseverity_policies: {}\n");
  config.paging.escalation_policies.default = {
    name: "default",
    repeat: 0,
    steps: [
      { notify: [{ kind: "user", userId: "U0FIRST" }], ackTimeoutMs: MIN },
      { notify: [{ kind: "user", userId: "U0SECOND" }], ackTimeoutMs: MIN },
    ],
  };
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  // Nothing a test leaves behind is overdue for the next.
  await db.pool.query(
    "UPDATE escalations SET status = 'stopped', next_due_at = NULL WHERE status = 'active'",
  );
  await db.pool.query("UPDATE incident_timers SET status = 'cancelled' WHERE status = 'pending'");
  failing.clear();
  attempts.clear();
});
afterAll(async () => {
  await db?.drop();
});

/** Each test starts a day after the last. */
function newDay(): void {
  t0 = (t0 || Date.parse("2026-11-23T10:00:00Z")) + 3_600_000 * 24;
  clock.ms = t0;
}

describe("the overdue sweep: Postgres wins over a BullMQ job a dead worker holds", () => {
  it("pages a step more than 2 s overdue that BullMQ never ran, and leaves alone one that is less", async () => {
    newDay();
    const s = await startScheduler();
    const id = await declare();
    // The first step is due at once; its job is stuck with the dead worker.
    clock.ms = t0 + 1_500;
    expect(await s.sweepOverdue()).toMatchObject({ found: 0, processed: 0 });
    expect(await pagedUsers(id)).toEqual([]);
    clock.ms = t0 + 2_500;
    expect(await s.sweepOverdue()).toMatchObject({ found: 1, processed: 1 });
    expect(await pagedUsers(id)).toEqual(["U0FIRST"]);
    // The step after it was handed to BullMQ, and is not overdue until its own time.
    const esc = (await getEscalation(db.pool, id))!;
    expect(esc.nextDueAt!.getTime()).toBe(t0 + 2_500 + MIN);
    expect(s.queue.held.some((j) => j.type === "escalation" && j.dueAt === t0 + 2_500 + MIN)).toBe(true);
    clock.ms = t0 + 2_500 + MIN + 2_100;
    await s.sweepOverdue();
    expect(await pagedUsers(id)).toEqual(["U0FIRST", "U0SECOND"]);
    expect((await getEscalation(db.pool, id))!.status).toBe("active");
    clock.ms += MIN + 2_100;
    await s.sweepOverdue();
    expect((await getEscalation(db.pool, id))!.status).toBe("exhausted");
    expect(await dmCount(id)).toBe(2);
  });

  it("never pages twice: the dead worker's job run late, and two workers sweeping at once", async () => {
    newDay();
    const a = await startScheduler();
    const b = await startScheduler();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await declare());
    // What BullMQ holds for the first step of each (it recovers them later, and runs them).
    const stranded = await eventually(() => {
      const held = a.queue.held.filter((j) => j.type === "escalation");
      return held.length >= ids.length && held;
    }, "every first step handed to BullMQ");
    clock.ms = t0 + 3_000;
    const late = (job: TimerJob) => runTimerJob(context(), job, clock.now());
    await Promise.all([a.sweepOverdue(), b.sweepOverdue(), ...stranded.map(late)]);
    await Promise.all([a.sweepOverdue(), b.sweepOverdue(), ...stranded.map(late)]);
    for (const id of ids) {
      expect(await pagedUsers(id)).toEqual(["U0FIRST"]);
      expect(await dmCount(id)).toBe(1);
    }
  });

  it("backs off from a step that keeps failing, while the others go out; once it can, it pages once", async () => {
    newDay();
    const s = await startScheduler();
    const stuck = await declare();
    const fine = await declare();
    failing.add(stuck);
    const passAt = async (ms: number) => {
      clock.ms = t0 + ms;
      return s.sweepOverdue();
    };
    expect(await passAt(3_000)).toMatchObject({ found: 2, processed: 1, failed: 1 });
    expect(await pagedUsers(fine)).toEqual(["U0FIRST"]);
    // Tried again at once, then after 2 s, 4 s, 8 s: not on every pass.
    expect(await passAt(5_000)).toMatchObject({ found: 1, failed: 1, backingOff: 0 });
    expect(await passAt(6_000)).toMatchObject({ found: 1, failed: 0, backingOff: 1 });
    expect(await passAt(7_000)).toMatchObject({ found: 1, failed: 1, backingOff: 0 });
    expect(await passAt(9_000)).toMatchObject({ found: 1, failed: 0, backingOff: 1 });
    expect(await passAt(11_000)).toMatchObject({ found: 1, failed: 1, backingOff: 0 });
    expect(await passAt(15_000)).toMatchObject({ found: 1, failed: 0, backingOff: 1 });
    expect(attempts.get(stuck)).toBe(4);
    failing.delete(stuck);
    expect(await passAt(19_000)).toMatchObject({ found: 1, processed: 1 });
    expect(await pagedUsers(stuck)).toEqual(["U0FIRST"]);
    expect(await passAt(21_000)).toMatchObject({ found: 0 });
    expect(await dmCount(stuck)).toBe(1);
  });
});
