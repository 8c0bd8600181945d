import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import { truncate } from "../../core/mrkdwn.js";
import { withDatabaseUser } from "../../store/database-user.js";
import { withTransaction } from "../../store/pool.js";
import { appendTimelineEvent } from "../../store/timeline/timeline-events.js";
import type { ClaimedCall, DueCallFilter, OutboxRow } from "../../store/outbox/outbox-calls.js";
import {
  finishCall,
  listDueCalls,
  listOrphanedCalls,
  lockCall,
  markSending,
  msUntilNextDue,
  OUTBOX_CHANNEL,
  recentAttempts,
  retryCallLater,
} from "../../store/outbox/outbox-calls.js";
import { CHANNEL_PACED_METHODS, CHANNEL_PACE_MS, MethodWindows } from "./rate-limits.js";
import { checkDelivered, outboxMetadata } from "./recovery.js";
import type { RecoveryVerdict } from "./recovery.js";
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
/** A claim older than this, and not this process's, belonged to a sender that stopped. */
const ORPHAN_GRACE_MS = 20_000;
/** How often the leader looks for such calls. */
const RECOVERY_EVERY_MS = 5_000;
/** How long a finished call keeps trying to record its outcome while Postgres is away. */
const RECORD_PATIENCE_MS = 15_000;
/** Slack's minute for its tiers (with a second's margin: see MethodWindows). */
const TIER_WINDOW_MS = 61_000;

type Claim =
  | { kind: "none" }
  | { kind: "finished" }
  | { kind: "claimed"; row: ClaimedCall; handler: OutboxHandler | undefined };

/**
 * Drains the Slack outbox. One drainer in the cluster holds a session advisory lock and
 * sends; others stand by, so pacing and tier budgets are decided in one place.
 *
 * Each call is claimed ('sending') in a short transaction that renders its args, made with
 * no transaction open, then recorded — so a Postgres restart mid-call does not undo a call
 * Slack accepted, and a call is never held up by a lock. A sender killed between the call
 * and the record leaves the claim behind; the leader recovers it by asking Slack
 * (recovery.ts) before it would make the call again.
 */
export class OutboxDrainer {
  private readonly windows = new MethodWindows(TIER_WINDOW_MS);
  private readonly channelFreeAt = new Map<string, number>();
  private readonly methodPausedUntil = new Map<string, number>();
  private readonly inFlight = new Set<number>();
  private lastRecovery = 0;
  private listener: pg.Client | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private leader = false;
  private stopping = false;

  constructor(private readonly o: OutboxDrainerOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run().catch((err: unknown) => this.o.log.error({ err }, "outbox drainer stopped"));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  /** Makes everything currently due go out; for tests and the CLI. Resolves when nothing is due. */
  async drainOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const { finished } = await this.tick();
      sent += finished;
      if (finished === 0) return sent;
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
        const { finished, blocked } = await this.tick();
        this.o.onPass?.(true, (performance.now() - started) / 1000);
        if (finished === 0) {
          // Nothing went: sleep until the next call not held back falls due, or a hold ends.
          const due = await msUntilNextDue(this.o.pool, blocked.filter);
          await this.sleep(Math.max(5, Math.min(due ?? poll, blocked.untilMs ?? poll, poll)));
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
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      client.on("notification", () => this.wake?.());
      client.on("end", () => {
        this.leader = false;
      });
      // The calls the previous leader made in the last minute count against the tiers too.
      this.windows.seed(await recentAttempts(this.o.pool, TIER_WINDOW_MS));
      this.listener = client;
      this.leader = true;
      this.lastRecovery = 0;
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

  /** What cannot go right now, and when the first of those holds ends. */
  private holds(now: number): { filter: DueCallFilter; untilMs: number | undefined } {
    const methods = new Map(this.windows.full(now));
    for (const [method, until] of this.methodPausedUntil)
      if (until > now) methods.set(method, Math.max(methods.get(method) ?? 0, until - now));
      else this.methodPausedUntil.delete(method);
    const channels: string[] = [];
    let untilMs: number | undefined;
    for (const [key, free] of this.channelFreeAt)
      if (free > now) {
        channels.push(key);
        untilMs = Math.min(untilMs ?? Infinity, free - now);
      } else this.channelFreeAt.delete(key);
    for (const wait of methods.values()) untilMs = Math.min(untilMs ?? Infinity, wait);
    return { filter: { methods: [...methods.keys()], channelKeys: channels }, untilMs };
  }

  /** Sends what is due now, within pacing and tiers; returns how many calls it finished. */
  private async tick(): Promise<{ finished: number; blocked: ReturnType<OutboxDrainer["holds"]> }> {
    let now = Date.now();
    if (now - this.lastRecovery >= RECOVERY_EVERY_MS) {
      this.lastRecovery = now;
      await this.recoverOrphans();
      now = Date.now();
    }
    const blocked = this.holds(now);
    const due = await listDueCalls(this.o.pool, 50, blocked.filter);
    const batch: { id: number; method: string; takenAt: number }[] = [];
    for (const c of due) {
      if (batch.length >= (this.o.concurrency ?? 4)) break;
      // Counted now, so that one batch never takes more than a method's tier allows.
      if (this.windows.take(c.method, now) > 0) continue;
      batch.push({ id: c.id, method: c.method, takenAt: now });
    }
    const results = await Promise.all(
      batch.map(async (c) => {
        const outcome = await this.process(c.id);
        if (outcome !== "sent") this.windows.release(c.method, c.takenAt);
        return outcome;
      }),
    );
    return { finished: results.filter((r) => r !== "none").length, blocked };
  }

  /** Claims, makes and records one call. */
  private async process(id: number): Promise<"sent" | "finished" | "none"> {
    const token = randomUUID();
    const claim = await withTransaction(this.o.pool, async (tx): Promise<Claim> => {
      const row = await lockCall(tx, id);
      if (!row) return { kind: "none" };
      const handler = this.o.handlers.get(row.kind);
      if (!handler && row.kind !== "raw") {
        await finishCall(tx, row.id, "failed", { error: `no handler for outbox kind ${row.kind}` });
        return { kind: "finished" };
      }
      const rendered = handler?.render ? await handler.render(row, tx) : row.args;
      if (rendered === null) {
        await finishCall(tx, row.id, "skipped", {});
        return { kind: "finished" };
      }
      // A posted message carries its outbox id, so that recovery can find it in the channel.
      const args =
        row.method === "chat.postMessage" && rendered.metadata === undefined
          ? { ...rendered, metadata: outboxMetadata(row.id) }
          : rendered;
      await markSending(tx, row.id, args, token);
      return { kind: "claimed", row: { ...row, args, claimToken: token, claimedAt: new Date() }, handler };
    });
    if (claim.kind !== "claimed") return claim.kind;
    const { row, handler } = claim;
    this.inFlight.add(row.id);
    try {
      const started = performance.now();
      let outcome: { ok: true; result: Record<string, unknown> } | { ok: false; error: SlackCallError };
      try {
        const result =
          row.method === "response_url"
            ? (await this.o.transport.respond(
                String(row.args.url),
                (row.args.body ?? {}) as Record<string, unknown>,
              ),
              { ok: true })
            : await this.o.transport.call(row.method, row.args);
        outcome = { ok: true, result };
      } catch (err) {
        outcome = {
          ok: false,
          error:
            err instanceof SlackCallError
              ? err
              : new SlackCallError({ kind: "transient", message: (err as Error).message }, { cause: err }),
        };
      }
      if (CHANNEL_PACED_METHODS.has(row.method))
        this.channelFreeAt.set(row.channelKey, Date.now() + CHANNEL_PACE_MS);
      const seconds = (performance.now() - started) / 1000;
      await this.record(row, (tx) =>
        outcome.ok
          ? this.recordDone(tx, row, handler, outcome.result, seconds)
          : this.handleFailure(tx, row, handler, outcome.error, seconds),
      );
      return "sent";
    } finally {
      this.inFlight.delete(row.id);
    }
  }

  /**
   * Records a call's outcome, retrying while Postgres is away (a restart). Gives up after a
   * while, leaving the claim to recovery, which asks Slack instead of sending again.
   */
  private async record(row: ClaimedCall, write: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
    const deadline = Date.now() + RECORD_PATIENCE_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await withTransaction(this.o.pool, write);
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          this.o.log.warn(
            { err, outboxId: row.id },
            "outbox: could not record a call; recovery will settle it",
          );
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
      }
    }
  }

  private async recordDone(
    tx: pg.PoolClient,
    row: ClaimedCall,
    handler: OutboxHandler | undefined,
    result: Record<string, unknown>,
    seconds: number,
  ): Promise<void> {
    if (!(await finishCall(tx, row.id, "done", { result: compactResult(result) }, row.claimToken))) return;
    await handler?.onDone?.(row, result, tx);
    if (row.incidentId !== null && row.method === "chat.postMessage") {
      await appendTimelineEvent(tx, {
        incidentId: row.incidentId,
        actor: "firebreak",
        kind: "slack.message_posted",
        at: new Date(),
        data: {
          channel: result.channel ?? row.args.channel,
          ts: result.ts,
          text: truncate(typeof row.args.text === "string" ? row.args.text : "", 500),
          purpose: row.kind,
        },
      });
    }
    this.o.onCall?.(row.method, "ok", seconds);
  }

  /** Settles calls whose sender stopped mid-call: found in Slack, made again, or given up. */
  private async recoverOrphans(): Promise<void> {
    const orphans = await listOrphanedCalls(this.o.pool, ORPHAN_GRACE_MS);
    for (const row of orphans) {
      if (this.inFlight.has(row.id) || this.stopping) continue;
      const log = this.o.log.child({ outboxId: row.id, method: row.method, incidentId: row.incidentId });
      let verdict: RecoveryVerdict;
      try {
        verdict = await checkDelivered(this.o.transport, row);
      } catch (err) {
        log.warn({ err }, "outbox: could not ask Slack about an interrupted call; trying again later");
        continue;
      }
      const handler = this.o.handlers.get(row.kind);
      await withTransaction(this.o.pool, async (tx) => {
        if (verdict.kind === "delivered") await this.recordDone(tx, row, handler, verdict.result, 0);
        else if (verdict.kind === "resend")
          await retryCallLater(
            tx,
            row.id,
            0,
            "the process sending it stopped mid-call",
            undefined,
            row.claimToken,
          );
        else if (await finishCall(tx, row.id, "failed", { error: verdict.error }, row.claimToken))
          await this.failed(tx, row, verdict.error);
      });
      log.info({ verdict: verdict.kind }, "outbox: settled a call whose sender stopped mid-call");
    }
  }

  private async handleFailure(
    tx: pg.PoolClient,
    row: ClaimedCall,
    handler: OutboxHandler | undefined,
    err: SlackCallError,
    seconds: number,
  ): Promise<void> {
    const f = err.failure;
    const log = this.o.log.child({ outboxId: row.id, method: row.method, incidentId: row.incidentId });
    const token = row.claimToken;
    if (f.kind === "rate_limited") {
      // Slack said when: the whole method waits, and this call goes first when it may.
      this.methodPausedUntil.set(row.method, Date.now() + f.retryAfterMs);
      await retryCallLater(tx, row.id, f.retryAfterMs, "ratelimited", undefined, token);
      log.info({ retryAfterMs: f.retryAfterMs }, "slack rate limited; waiting");
      this.o.onCall?.(row.method, "rate_limited", seconds);
      return;
    }
    if (f.kind === "platform") {
      const decision = handler?.onError ? await handler.onError(row, f.error, tx) : null;
      if (decision === "ignore") {
        await finishCall(tx, row.id, "done", { result: { ok: false, error: f.error } }, token);
        this.o.onCall?.(row.method, "ok", seconds);
        return;
      }
      if (decision) {
        await retryCallLater(tx, row.id, 0, f.error, decision.retryWith, token);
        this.o.onCall?.(row.method, "retry", seconds);
        return;
      }
      if (await finishCall(tx, row.id, "failed", { error: f.error }, token))
        await this.failed(tx, row, f.error);
      log.warn({ error: f.error }, "slack refused a call");
      this.o.onCall?.(row.method, "failed", seconds);
      return;
    }
    if (row.attempts + 1 >= (this.o.maxAttempts ?? 12)) {
      if (await finishCall(tx, row.id, "failed", { error: f.message }, token))
        await this.failed(tx, row, f.message);
      this.o.onCall?.(row.method, "failed", seconds);
      return;
    }
    const backoff = Math.min(60_000, 500 * 2 ** row.attempts);
    await retryCallLater(tx, row.id, backoff, f.message, undefined, token);
    log.info({ backoff, error: f.message }, "slack call failed; retrying");
    this.o.onCall?.(row.method, "retry", seconds);
  }

  /** A call given up on: the incident's timeline says so. */
  private async failed(tx: pg.PoolClient, row: OutboxRow, error: string): Promise<void> {
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
