import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlackEmulator } from "../../src/emulator/slack/index.js";
import type { SlackEmulator } from "../../src/emulator/slack/index.js";
import { createLogger } from "../../src/log.js";
import { OutboxDrainer } from "../../src/slack/outbox/drainer.js";
import { enqueueSlackCall } from "../../src/store/outbox/outbox-calls.js";
import { createSlackTransport } from "../../src/slack/transport.js";
import { withTransaction } from "../../src/store/pool.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";

let db: TestDatabase;
let emulator: SlackEmulator;
beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startSlackEmulator({});
});
afterAll(async () => {
  await emulator.close();
  await db.drop();
});

const log = createLogger("silent");
const drainer = () =>
  new OutboxDrainer({
    pool: db.pool,
    databaseUrl: db.url,
    transport: createSlackTransport({ token: emulator.botToken, apiUrl: emulator.apiUrl, logger: log }),
    handlers: new Map(),
    log,
  });

describe("the Slack outbox", () => {
  it("sends every call exactly once, in order per channel key, with two workers draining", async () => {
    const a = drainer();
    const b = drainer();
    a.start();
    b.start();
    try {
      await withTransaction(db.pool, async (tx) => {
        for (let i = 0; i < 40; i++) {
          await enqueueSlackCall(tx, {
            method: "users.info",
            args: { user: "U0ALICE", seq: i, key: `k${i % 4}` },
            channelKey: `k${i % 4}`,
          });
        }
      });
      await eventually(() => emulator.callsTo("users.info").length >= 40, "40 calls", 15_000);
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up here
      const calls = emulator.callsTo("users.info");
      expect(calls).toHaveLength(40);
      const seqs = calls.map((c) => Number(c.args.seq));
      expect(new Set(seqs).size).toBe(40);
      for (let k = 0; k < 4; k++) {
        const ordered = calls.filter((c) => c.args.key === `k${k}`).map((c) => Number(c.args.seq));
        expect(ordered).toEqual([...ordered].sort((x, y) => x - y));
      }
      expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("coalesces pending calls with one key into one", async () => {
    await withTransaction(db.pool, async (tx) => {
      for (let i = 0; i < 5; i++)
        await enqueueSlackCall(tx, {
          method: "users.info",
          args: { user: "U0BOB" },
          channelKey: "c",
          coalesceKey: "same",
        });
    });
    const r = await db.pool.query("SELECT count(*)::int AS n FROM slack_outbox WHERE coalesce_key = 'same'");
    expect(r.rows[0].n).toBe(1);
  });

  it("gives up on a call Slack refuses outright and keeps the reason", async () => {
    const d = drainer();
    await withTransaction(db.pool, (tx) =>
      enqueueSlackCall(tx, {
        method: "chat.postMessage",
        args: { channel: "C0NOPE", text: "x" },
        channelKey: "nope",
      }),
    );
    await d.drainOnce();
    const r = await db.pool.query("SELECT status, last_error FROM slack_outbox WHERE channel_key = 'nope'");
    expect(r.rows).toEqual([{ status: "failed", last_error: "channel_not_found" }]);
  });

  it("retries a transient failure with backoff instead of dropping it", async () => {
    const d = drainer();
    emulator.failNext("users.info", { error: "internal_error" }, 1);
    await withTransaction(db.pool, (tx) =>
      enqueueSlackCall(tx, {
        method: "users.info",
        args: { user: "U0CAROL", tag: "retry" },
        channelKey: "retry",
      }),
    );
    await d.drainOnce();
    const first = await db.pool.query(
      "SELECT status, attempts FROM slack_outbox WHERE channel_key = 'retry'",
    );
    expect(first.rows).toEqual([{ status: "pending", attempts: 1 }]);
    await db.pool.query("UPDATE slack_outbox SET not_before = now() WHERE channel_key = 'retry'");
    await d.drainOnce();
    const second = await db.pool.query("SELECT status FROM slack_outbox WHERE channel_key = 'retry'");
    expect(second.rows).toEqual([{ status: "done" }]);
  });
});

describe("coalescing while a call is being sent", () => {
  it("queues a fresh call when the pending one was already rendered, so no change is lost", async () => {
    const { connect } = await import("../../src/store/pool.js");
    const { finishCall, lockCall } = await import("../../src/store/outbox/outbox-calls.js");
    const first = await withTransaction(db.pool, (tx) =>
      enqueueSlackCall(tx, { method: "chat.update", channelKey: "s", coalesceKey: "summary:race" }),
    );
    // The drainer has the call locked and is sending what it rendered.
    const drainerTx = await connect(db.pool);
    await drainerTx.query("BEGIN");
    expect(await lockCall(drainerTx, first!)).not.toBeNull();
    // Meanwhile a change asks for a refresh: it must not fold into the call already rendered.
    const second = withTransaction(db.pool, (tx) =>
      enqueueSlackCall(tx, { method: "chat.update", channelKey: "s", coalesceKey: "summary:race" }),
    );
    await new Promise((r) => setTimeout(r, 200));
    await finishCall(drainerTx, first!, "done", { result: { ok: true } });
    await drainerTx.query("COMMIT");
    drainerTx.release();
    const id = await second;
    expect(id).not.toBeNull();
    expect(id).not.toBe(first);
    const pending = await db.pool.query(
      "SELECT id FROM slack_outbox WHERE coalesce_key = 'summary:race' AND status = 'pending'",
    );
    expect(pending.rows.map((r) => Number(r.id))).toEqual([id]);
  });
});
