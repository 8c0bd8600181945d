import pg from "pg";
import type { Logger } from "pino";
import { truncate } from "../../core/mrkdwn.js";
import { withDatabaseUser } from "../../store/database-user.js";
import { withTransaction } from "../../store/pool.js";
import { appendTimelineEvent } from "../../store/timeline/timeline-events.js";
import type { OutboxRow } from "../../store/outbox/outbox-calls.js";
import {
  finishCall,
  listDueCalls,
  lockCall,
  msUntilNextDue,
  retryCallLater,
} from "../../store/outbox/outbox-calls.js";
import { CHANNEL_PACED_METHODS, CHANNEL_PACE_MS, MethodBuckets } from "./rate-limits.js";
import { SlackCallError } from "../transport.js";
import type { SlackTransport } from "../transport.js";

/** What an outbox `kind` does around its call. All optional; `raw` calls have none. */
export interface OutboxHandler {
  /** Builds args at send time from current state (a summary always shows the latest). null: nothing to send. */
  render?(row: OutboxRow, tx: pg.PoolClient): Promise<Record<string, unknown> | null>;
  /** After Slack accepted the call, in the transaction that marks it done. */
  onDone?(row: OutboxRow, result: Record<string, unknown>, tx: pg.PoolClient): Promise<void>;
  /**
   * Slack refused (ok:false). `{ retryWith }` retries with a new context, `"ignore"` counts
   * the call as done (`already_in_channel`), null gives up.
   */
  onError?(
    row: OutboxRow,
    error: string,
    tx: pg.PoolClient,
  ): Promise<{ retryWith: Record<string, unknown> } | "ignore" | null>;
}

export interface OutboxDrainerOptions {
  pool: pg.Pool;
  databaseUrl: string;
  transport: SlackTransport;
  handlers: ReadonlyMap<string, OutboxHandler>;
  log: Logger;
  /** Transient failures are retried with backoff this many times, then the call fails. */
  maxAttempts?: number;
  concurrency?: number;
  /** Longest idle wait between looks at the outbox (NOTIFY wakes it sooner); default 1s. */
  pollIntervalMs?: number;
  /** Told of every pass of the loop (the `outbox-drainer` job's health in /metrics). */
  onPass?: (ok: boolean, seconds: number) => void;
  onCall?: (method: string, outcome: "ok" | "rate_limited" | "retry" | "failed", seconds: number) => void;
}

const LEADER_LOCK = 0x51acb0;

/**
 * Drains the Slack outbox. One drainer in the cluster holds a session advisory lock and
 * sends; others stand by, so pacing and tier budgets are decided in one place.
 */
export class OutboxDrainer {
  private readonly buckets = new MethodBuckets();
  private readonly channelFreeAt = new Map<string, number>();
  private readonly methodPausedUntil = new Map<string, number>();
  private listener: pg.Client | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private leader = false;

  constructor(private readonly o: OutboxDrainerOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err: unknown) => this.o.log.error({ err }, "outbox drainer stopped"));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  /** Makes everything currently due go out; for tests and the CLI. Resolves when nothing is due. */
  async drainOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = await this.tick();
      sent += n;
      if (n === 0) return sent;
    }
  }

  private async run(): Promise<void> {
    const poll = this.o.pollIntervalMs ?? 1_000;
    while (this.running) {
      const started = performance.now();
      try {
        if (!this.leader) await this.becomeLeader();
        if (!this.leader) {
          // A standby is healthy: it is ready to take over when the leader's session ends.
          this.o.onPass?.(true, (performance.now() - started) / 1000);
          await this.sleep(5_000);
          continue;
        }
        const n = await this.tick();
        this.o.onPass?.(true, (performance.now() - started) / 1000);
        if (n === 0) {
          const due = await msUntilNextDue(this.o.pool);
          await this.sleep(Math.min(due ?? poll, poll));
        }
      } catch (err) {
        this.o.onPass?.(false, (performance.now() - started) / 1000);
        this.o.log.warn({ err }, "outbox tick failed; retrying");
        await this.dropLeadership();
        await this.sleep(1_000);
      }
    }
    await this.dropLeadership();
  }

  private async becomeLeader(): Promise<void> {
    const client = new pg.Client({
      connectionString: withDatabaseUser(this.o.databaseUrl),
      application_name: "firebreak-outbox",
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const res = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LEADER_LOCK]);
      if (!res.rows[0]?.ok) {
        await client.end();
        return;
      }
      await client.query("LISTEN slack_outbox");
      client.on("notification", () => this.wake?.());
      client.on("end", () => {
        this.leader = false;
      });
      this.listener = client;
      this.leader = true;
      this.o.log.info("outbox drainer is the leader");
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  private async dropLeadership(): Promise<void> {
    this.leader = false;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Sends what is due now, respecting pacing; returns how many calls it finished. */
  private async tick(): Promise<number> {
    const now = Date.now();
    const due = await listDueCalls(this.o.pool, 50);
    const ready = due.filter(
      (c) =>
        (this.channelFreeAt.get(c.channelKey) ?? 0) <= now &&
        (this.methodPausedUntil.get(c.method) ?? 0) <= now,
    );
    const batch = ready.slice(0, this.o.concurrency ?? 4);
    const results = await Promise.all(batch.map((c) => this.process(c.id)));
    return results.filter(Boolean).length;
  }

  private async process(id: number): Promise<boolean> {
    return withTransaction(this.o.pool, async (tx) => {
      const row = await lockCall(tx, id);
      if (!row) return false;
      const handler = this.o.handlers.get(row.kind);
      if (!handler && row.kind !== "raw") {
        await finishCall(tx, row.id, "failed", { error: `no handler for outbox kind ${row.kind}` });
        return true;
      }
      const now = Date.now();
      const wait = this.buckets.take(row.method, now);
      if (wait > 0) {
        this.methodPausedUntil.set(row.method, now + wait);
        return false;
      }
      const args = handler?.render ? await handler.render(row, tx) : row.args;
      if (args === null) {
        await finishCall(tx, row.id, "skipped", {});
        return true;
      }
      const started = performance.now();
      try {
        const result =
          row.method === "response_url"
            ? (await this.o.transport.respond(String(args.url), (args.body ?? {}) as Record<string, unknown>),
              { ok: true })
            : await this.o.transport.call(row.method, args);
        await finishCall(tx, row.id, "done", { result: compactResult(result), args });
        if (CHANNEL_PACED_METHODS.has(row.method))
          this.channelFreeAt.set(row.channelKey, Date.now() + CHANNEL_PACE_MS);
        await handler?.onDone?.(row, result, tx);
        if (row.incidentId !== null && row.method === "chat.postMessage") {
          await appendTimelineEvent(tx, {
            incidentId: row.incidentId,
            actor: "firebreak",
            kind: "slack.message_posted",
            at: new Date(),
            data: {
              channel: result.channel ?? args.channel,
              ts: result.ts,
              text: truncate(typeof args.text === "string" ? args.text : "", 500),
              purpose: row.kind,
            },
          });
        }
        this.o.onCall?.(row.method, "ok", (performance.now() - started) / 1000);
        return true;
      } catch (err) {
        const seconds = (performance.now() - started) / 1000;
        if (!(err instanceof SlackCallError)) throw err;
        return this.handleFailure(tx, row, handler, err, seconds);
      }
    });
  }

  private async handleFailure(
    tx: pg.PoolClient,
    row: OutboxRow,
    handler: OutboxHandler | undefined,
    err: SlackCallError,
    seconds: number,
  ): Promise<boolean> {
    const f = err.failure;
    const log = this.o.log.child({ outboxId: row.id, method: row.method, incidentId: row.incidentId });
    if (f.kind === "rate_limited") {
      // Slack said when: the whole method waits, and this call goes first when it may.
      this.methodPausedUntil.set(row.method, Date.now() + f.retryAfterMs);
      await retryCallLater(tx, row.id, f.retryAfterMs, "ratelimited");
      log.info({ retryAfterMs: f.retryAfterMs }, "slack rate limited; waiting");
      this.o.onCall?.(row.method, "rate_limited", seconds);
      return true;
    }
    if (f.kind === "platform") {
      const decision = handler?.onError ? await handler.onError(row, f.error, tx) : null;
      if (decision === "ignore") {
        await finishCall(tx, row.id, "done", { result: { ok: false, error: f.error } });
        this.o.onCall?.(row.method, "ok", seconds);
        return true;
      }
      if (decision) {
        await retryCallLater(tx, row.id, 0, f.error, decision.retryWith);
        this.o.onCall?.(row.method, "retry", seconds);
        return true;
      }
      await this.fail(tx, row, f.error);
      log.warn({ error: f.error }, "slack refused a call");
      this.o.onCall?.(row.method, "failed", seconds);
      return true;
    }
    if (row.attempts + 1 >= (this.o.maxAttempts ?? 12)) {
      await this.fail(tx, row, f.message);
      this.o.onCall?.(row.method, "failed", seconds);
      return true;
    }
    const backoff = Math.min(60_000, 500 * 2 ** row.attempts);
    await retryCallLater(tx, row.id, backoff, f.message);
    log.info({ backoff, error: f.message }, "slack call failed; retrying");
    this.o.onCall?.(row.method, "retry", seconds);
    return true;
  }

  private async fail(tx: pg.PoolClient, row: OutboxRow, error: string): Promise<void> {
    await finishCall(tx, row.id, "failed", { error });
    if (row.incidentId !== null) {
      await appendTimelineEvent(tx, {
        incidentId: row.incidentId,
        actor: "firebreak",
        kind: "slack.call_failed",
        at: new Date(),
        data: { method: row.method, purpose: row.kind, error },
      });
    }
  }
}

/** Keeps what later steps need of a result (ids, ts), not whole channel objects. */
function compactResult(result: Record<string, unknown>): Record<string, unknown> {
  const channel = result.channel as { id?: string; name?: string } | string | undefined;
  return {
    ok: result.ok ?? true,
    ...(typeof channel === "string"
      ? { channel }
      : channel
        ? { channel: { id: channel.id, name: channel.name } }
        : {}),
    ...(result.ts ? { ts: result.ts } : {}),
  };
}
