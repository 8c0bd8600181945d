import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlackEmulator } from "../../src/emulator/slack/index.js";
import type { SlackEmulator } from "../../src/emulator/slack/index.js";
import { createLogger } from "../../src/log.js";
import { OutboxDrainer } from "../../src/slack/outbox/drainer.js";
import { outboxMetadata } from "../../src/slack/outbox/recovery.js";
import { createSlackTransport } from "../../src/slack/transport.js";
import { enqueueSlackCall } from "../../src/store/outbox/outbox-calls.js";
import type { OutboxCall } from "../../src/store/outbox/outbox-calls.js";
import { withTransaction } from "../../src/store/pool.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";

// Issue 10: the outbox under a storm and across a crash. A call is claimed, made outside
// any transaction, then recorded; a sender killed in between leaves a claim that the
// leader settles by asking Slack. No method goes over its tier in any sliding minute, and
// a method at its limit does not hold up the others.

let db: TestDatabase;
let emulator: SlackEmulator;
const log = createLogger("silent");
beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startSlackEmulator({});
});
afterAll(async () => {
  await emulator.close();
  await db.drop();
});

const transport = () =>
  createSlackTransport({ token: emulator.botToken, apiUrl: emulator.apiUrl, logger: log });
const drainer = (concurrency = 4) =>
  new OutboxDrainer({
    pool: db.pool,
    databaseUrl: db.url,
    transport: transport(),
    handlers: new Map(),
    log,
    concurrency,
  });
const enqueue = (calls: OutboxCall[]) =>
  withTransaction(db.pool, async (tx) => {
    const ids: number[] = [];
    for (const c of calls) ids.push((await enqueueSlackCall(tx, c))!);
    return ids;
  });
/** Makes a row look like one whose sender was killed mid-call 30 s ago. */
async function orphan(id: number, args?: Record<string, unknown>) {
  await db.pool.query(
    `UPDATE slack_outbox SET status = 'sending', claim_token = 'killed', claimed_at = now() - interval '30 seconds',
            args = COALESCE($2, args) WHERE id = $1`,
    [id, args ? JSON.stringify(args) : null],
  );
}
const row = async (id: number) =>
  (await db.pool.query("SELECT status, result, last_error FROM slack_outbox WHERE id = $1", [id])).rows[0];

describe("a call whose sender was killed mid-call", () => {
  it("is found in the channel by its metadata and recorded, not posted again", async () => {
    const [id] = await enqueue([
      {
        method: "chat.postMessage",
        args: { channel: "C0INCIDENTS", text: "posted before the crash" },
        channelKey: "o1",
      },
    ]);
    // The killed sender had made the call: Slack has the message.
    const posted = await transport().call("chat.postMessage", {
      channel: "C0INCIDENTS",
      text: "posted before the crash",
      metadata: outboxMetadata(id!),
    });
    await orphan(id!, {
      channel: "C0INCIDENTS",
      text: "posted before the crash",
      metadata: outboxMetadata(id!),
    });
    await drainer().drainOnce();
    expect(await row(id!)).toMatchObject({ status: "done", result: { ts: posted.ts } });
    expect(emulator.messages("C0INCIDENTS").filter((m) => m.text === "posted before the crash")).toHaveLength(
      1,
    );
  });

  it("is posted once when Slack never got it", async () => {
    const [id] = await enqueue([
      {
        method: "chat.postMessage",
        args: { channel: "C0INCIDENTS", text: "lost in the crash" },
        channelKey: "o2",
      },
    ]);
    await orphan(id!);
    const d = drainer();
    await d.drainOnce(); // recovery puts it back in line
    await d.drainOnce();
    expect((await row(id!)).status).toBe("done");
    expect(emulator.messages("C0INCIDENTS").filter((m) => m.text === "lost in the crash")).toHaveLength(1);
  });

  it("adopts a channel Slack created instead of creating a second one", async () => {
    const [id] = await enqueue([
      { method: "conversations.create", args: { name: "inc-orphaned" }, channelKey: "o3" },
    ]);
    const created = (await transport().call("conversations.create", { name: "inc-orphaned" })) as {
      channel: { id: string };
    };
    await orphan(id!);
    await drainer().drainOnce();
    expect(await row(id!)).toMatchObject({ status: "done", result: { channel: { id: created.channel.id } } });
    expect(
      emulator.callsTo("conversations.create").filter((c) => c.args.name === "inc-orphaned"),
    ).toHaveLength(1);
  });

  it("does not repeat an ephemeral reply it cannot check, and says why", async () => {
    const [id] = await enqueue([
      {
        method: "response_url",
        args: { url: `${emulator.apiUrl}/nowhere`, body: { text: "hi" } },
        channelKey: "o4",
      },
    ]);
    await orphan(id!);
    await drainer().drainOnce();
    const r = await row(id!);
    expect(r.status).toBe("failed");
    expect(r.last_error).toMatch(/not sent again/);
    expect(emulator.callsTo("response_url")).toHaveLength(0);
  });

  it("is left alone while its claim is young: the sender may still be recording it", async () => {
    const [id] = await enqueue([
      { method: "chat.postMessage", args: { channel: "C0INCIDENTS", text: "in flight" }, channelKey: "o5" },
    ]);
    await db.pool.query(
      "UPDATE slack_outbox SET status = 'sending', claim_token = 'alive', claimed_at = now() WHERE id = $1",
      [id],
    );
    await drainer().drainOnce();
    expect((await row(id!)).status).toBe("sending");
    expect(emulator.messages("C0INCIDENTS").filter((m) => m.text === "in flight")).toHaveLength(0);
  });
});

describe("Slack's tiers in a storm", () => {
  it("keeps chat.update within Tier 3 in the sliding minute, across a change of leader, while other methods go on", async () => {
    emulator.enforceRateLimits(true);
    const { ts } = await transport().call("chat.postMessage", { channel: "C0INCIDENTS", text: "summary v0" });
    const before = emulator.callsTo("chat.update").length;
    // 120 refreshes of different messages' summaries queue first…
    await enqueue(
      Array.from({ length: 120 }, (_, i) => ({
        method: "chat.update",
        args: { channel: "C0INCIDENTS", ts, text: `summary v${i + 1}` },
        channelKey: `summary-${i}`,
        coalesceKey: `summary:${i}`,
      })),
    );
    // …then 20 lookups, each in its own line.
    await enqueue(
      Array.from({ length: 20 }, (_, i) => ({
        method: "users.info",
        args: { user: "U0ALICE", n: i },
        channelKey: `lookup-${i}`,
      })),
    );
    const first = drainer(8);
    first.start();
    try {
      // The lookups are not held up behind the refreshes waiting out their tier.
      await eventually(
        () => emulator.callsTo("users.info").filter((c) => c.args.n !== undefined).length >= 20,
        "lookups",
        10_000,
      );
      await eventually(
        () => emulator.callsTo("chat.update").length - before >= 50,
        "a tier's worth of refreshes",
        15_000,
      );
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await first.stop();
    }
    // A new leader knows the minute's calls from Postgres and waits too.
    const second = drainer(8);
    second.start();
    await new Promise((r) => setTimeout(r, 2_500));
    await second.stop();
    const updates = emulator.callsTo("chat.update").slice(before);
    expect(updates.filter((c) => c.status === 429)).toHaveLength(0);
    expect(updates).toHaveLength(50);
    emulator.enforceRateLimits(false);
  }, 40_000);
});
