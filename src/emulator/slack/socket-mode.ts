import { randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { RawData, WebSocket, WebSocketServer } from "ws";
import { FirebreakError } from "../../core/errors.js";

/** The kinds of envelope Slack sends over a Socket Mode connection. */
export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

/**
 * Why Slack tells a client to go: `warning` (the connection closes in about ten seconds),
 * `refresh_requested` (time to reconnect) or `link_disabled` (Socket Mode was turned off).
 */
export type DisconnectReason = "refresh_requested" | "warning" | "link_disabled";

/** Socket Mode tuning; every default is Slack's. */
export interface SocketModeOptions {
  /** How long Slack waits for an envelope's ack before it counts the delivery as failed (3 s). */
  ackTimeoutMs?: number;
  /**
   * The wait before each redelivery of an envelope nobody acknowledged: Slack's Events API
   * schedule by default (at once, after a minute, after five). `[]` never redelivers.
   */
  retryDelaysMs?: number[];
  /** How often the server pings each connection (the client gives up after 30 s without one). */
  pingIntervalMs?: number;
  /** How long a connection told to disconnect may stay before the server closes it (about 10 s). */
  disconnectGraceMs?: number;
}

/** One WebSocket connection an app opened with a ticket from apps.connections.open. */
export interface SocketConnection {
  id: number;
  openedAt: Date;
  closedAt?: Date;
  /** Set once the server told the client to go; it then gets no new envelopes. */
  disconnectReason?: DisconnectReason;
}

/** One envelope as sent on one connection (a redelivery is a second record with the same id). */
export interface SentEnvelope {
  envelopeId: string;
  type: EnvelopeType;
  connectionId: number;
  /** 0 for the first delivery, then 1, 2… */
  attempt: number;
  frame: Record<string, unknown>;
  at: Date;
}

/** An ack the app sent: `{ envelope_id, payload? }`. */
export interface ReceivedAck {
  envelopeId: string;
  connectionId: number;
  payload: Record<string, unknown>;
  /** Lost on purpose by {@link SocketModeServer.dropAcks}, so Slack redelivers. */
  dropped: boolean;
  at: Date;
}

/** What became of an envelope. */
export interface EnvelopeOutcome {
  envelopeId: string;
  /** How many times it was sent. */
  deliveries: number;
  /** The ack's payload (`{}` for a bare ack); absent when nobody acknowledged it. */
  ack?: Record<string, unknown>;
  /**
   * What Slack shows the user when it gives up: `dispatch_failed` (no connection to send it
   * on) or `operation_timeout` (sent, never acknowledged).
   */
  error?: "dispatch_failed" | "operation_timeout";
}

/** Events: a connection opened (after its hello) or closed, an envelope sent, an ack received. */
export interface SocketModeEventMap {
  connection: [SocketConnection];
  close: [SocketConnection];
  envelope: [SentEnvelope];
  ack: [ReceivedAck];
}

interface Live {
  info: SocketConnection;
  ws: WebSocket;
  closeTimer?: NodeJS.Timeout;
}

interface Pending {
  ack?: Record<string, unknown>;
  onAck?: () => void;
}

const HOST = "applink-emulator";
const DEFAULT_RETRY_DELAYS_MS = [0, 60_000, 300_000];

/**
 * Slack's side of Socket Mode: hands out WebSocket URLs through apps.connections.open,
 * greets each connection with `hello`, sends envelopes and waits for their acks, redelivers
 * what nobody acknowledged, and can tell clients to `disconnect`.
 */
export class SocketModeServer extends EventEmitter<SocketModeEventMap> {
  /** Every envelope sent, oldest first. */
  readonly sent: SentEnvelope[] = [];
  /** Every ack received, oldest first. */
  readonly acks: ReceivedAck[] = [];
  /** Created with the first URL handed out, so `ws` is loaded only when Socket Mode is used. */
  private wss: WebSocketServer | null = null;
  private readonly tickets = new Set<string>();
  private readonly live = new Map<number, Live>();
  private readonly all: SocketConnection[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly pinger: NodeJS.Timeout;
  private readonly ackTimeoutMs: number;
  private readonly retryDelaysMs: number[];
  private readonly graceMs: number;
  private nextId = 1;
  private roundRobin = 0;
  private acksToDrop = 0;
  private dropConnectionOnNextEnvelope = false;
  private closed = false;

  constructor(
    private readonly o: {
      /** Where the emulator listens, e.g. `ws://127.0.0.1:PORT/`. */
      wsBaseUrl: string;
      appId: string;
      now: () => Date;
      logger: Logger;
    } & SocketModeOptions,
  ) {
    super();
    this.ackTimeoutMs = o.ackTimeoutMs ?? 3000;
    this.retryDelaysMs = o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.graceMs = o.disconnectGraceMs ?? 10_000;
    this.pinger = setInterval(() => {
      for (const c of this.live.values()) c.ws.ping();
    }, o.pingIntervalMs ?? 10_000);
    this.pinger.unref();
  }

  /** A fresh single-use WebSocket URL, as apps.connections.open returns. */
  async issueUrl(): Promise<string> {
    if (!this.wss) {
      const { WebSocketServer } = await import("ws");
      this.wss ??= new WebSocketServer({ noServer: true });
    }
    const ticket = randomBytes(16).toString("hex");
    this.tickets.add(ticket);
    return `${this.o.wsBaseUrl}link/?ticket=${ticket}&app_id=${this.o.appId}`;
  }

  /** Takes an HTTP upgrade on `/link/`; false when the path is not Socket Mode's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://emulator");
    if (url.pathname !== "/link/" && url.pathname !== "/link") return false;
    const ticket = url.searchParams.get("ticket") ?? "";
    const wss = this.wss;
    if (this.closed || !wss || !this.tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    return true;
  }

  /** Connections, oldest first, open or closed. */
  connections(): SocketConnection[] {
    return [...this.all];
  }

  /** The connections open and still taking envelopes. */
  openConnections(): SocketConnection[] {
    return [...this.live.values()].filter((c) => !c.info.disconnectReason).map((c) => c.info);
  }

  /** Resolves with the first connection (past or future) matching `predicate`. */
  waitForConnection(
    predicate: (c: SocketConnection) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<SocketConnection> {
    const found = this.openConnections().find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onConnection = (c: SocketConnection) => {
        if (!predicate(c)) return;
        clearTimeout(timer);
        this.off("connection", onConnection);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.off("connection", onConnection);
        reject(new FirebreakError("timeout", `Socket Mode: no matching connection within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.on("connection", onConnection);
    });
  }

  /**
   * Sends an envelope on an open connection and waits for its ack, redelivering (same
   * envelope_id) after a lost connection or a timeout, on the retry schedule. A slash
   * command or interaction with no connection to go to fails at once (`dispatch_failed`).
   */
  async deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options: { retryAttempt?: number; retryReason?: string } = {},
  ): Promise<EnvelopeOutcome> {
    const envelopeId = randomUUID();
    const pending: Pending = {};
    this.pending.set(envelopeId, pending);
    let deliveries = 0;
    try {
      for (let attempt = 0; ; attempt++) {
        const first = attempt === 0;
        const conn =
          this.pickConnection() ??
          (first && type !== "events_api" ? null : await this.nextConnection(this.ackTimeoutMs));
        if (!conn && first && type !== "events_api")
          return { envelopeId, deliveries, error: "dispatch_failed" };
        if (conn) {
          const retry = (options.retryAttempt ?? 0) + attempt;
          const frame = {
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== "events_api",
            // Slack numbers redeliveries of Events API envelopes; interactions carry no counter.
            ...(type === "events_api"
              ? {
                  retry_attempt: retry,
                  retry_reason: retry > 0 ? (options.retryReason ?? "timeout") : "",
                }
              : {}),
          };
          deliveries += 1;
          if (await this.sendAndAwaitAck(conn, pending, { envelopeId, type, attempt, frame }))
            return { envelopeId, deliveries, ack: pending.ack! };
        }
        if (pending.ack) return { envelopeId, deliveries, ack: pending.ack };
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined || this.closed) return { envelopeId, deliveries, error: "operation_timeout" };
        await this.sleep(delay);
        if (pending.ack) return { envelopeId, deliveries, ack: pending.ack };
      }
    } finally {
      this.pending.delete(envelopeId);
    }
  }

  /** Tells clients to go (all open connections, or one): they are expected to reconnect. */
  disconnect(reason: DisconnectReason, options: { connectionId?: number } = {}): SocketConnection[] {
    const told: SocketConnection[] = [];
    for (const c of this.live.values()) {
      if (c.info.disconnectReason) continue;
      if (options.connectionId !== undefined && c.info.id !== options.connectionId) continue;
      c.info.disconnectReason = reason;
      c.ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: HOST } }));
      c.closeTimer = setTimeout(() => c.ws.close(1000, reason), this.graceMs);
      c.closeTimer.unref();
      told.push(c.info);
    }
    return told;
  }

  /** Loses the next `count` acks (recorded as dropped), as if they never reached Slack. */
  dropAcks(count = 1): void {
    this.acksToDrop += count;
  }

  /** Cuts the connection that carries the next envelope right after sending it, before any ack. */
  dropConnectionAfterNextEnvelope(): void {
    this.dropConnectionOnNextEnvelope = true;
  }

  /** Closes every connection; envelopes still waiting end as undelivered. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pinger);
    for (const c of this.live.values()) {
      clearTimeout(c.closeTimer);
      c.ws.terminate();
    }
    for (const p of this.pending.values()) p.onAck?.();
    const wss = this.wss;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const info: SocketConnection = { id: this.nextId++, openedAt: this.o.now() };
    const live: Live = { info, ws };
    this.live.set(info.id, live);
    this.all.push(info);
    ws.on("message", (data, isBinary) => this.onMessage(info, data, isBinary));
    ws.on("error", (err) =>
      this.o.logger.debug({ err, connection: info.id }, "socket mode connection error"),
    );
    ws.on("close", () => {
      clearTimeout(live.closeTimer);
      this.live.delete(info.id);
      info.closedAt = this.o.now();
      this.emit("close", info);
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.live.size,
        debug_info: { host: HOST, build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.o.appId },
      }),
    );
    this.emit("connection", info);
  }

  private onMessage(info: SocketConnection, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      this.o.logger.debug({ connection: info.id }, "socket mode: ignoring a message that is not JSON");
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const { envelope_id: envelopeId, payload } = message as { envelope_id?: unknown; payload?: unknown };
    if (typeof envelopeId !== "string") return;
    const dropped = this.acksToDrop > 0;
    if (dropped) this.acksToDrop -= 1;
    const ack: ReceivedAck = {
      envelopeId,
      connectionId: info.id,
      payload: typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {},
      dropped,
      at: this.o.now(),
    };
    this.acks.push(ack);
    this.emit("ack", ack);
    const pending = this.pending.get(envelopeId);
    if (dropped || !pending || pending.ack) return;
    pending.ack = ack.payload;
    pending.onAck?.();
  }

  /** Sends one delivery; true once acked, false when its connection closed or time ran out. */
  private sendAndAwaitAck(
    conn: Live,
    pending: Pending,
    sent: Omit<SentEnvelope, "connectionId" | "at">,
  ): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off("close", onClose);
        pending.onAck = undefined;
        resolve(pending.ack !== undefined);
      };
      const onClose = (c: SocketConnection) => {
        if (c.id === conn.info.id) done();
      };
      const timer = setTimeout(done, this.ackTimeoutMs);
      pending.onAck = done;
      this.on("close", onClose);
      const record: SentEnvelope = { ...sent, connectionId: conn.info.id, at: this.o.now() };
      this.sent.push(record);
      this.emit("envelope", record);
      const cut = this.dropConnectionOnNextEnvelope;
      this.dropConnectionOnNextEnvelope = false;
      conn.ws.send(JSON.stringify(sent.frame), () => {
        if (cut) conn.ws.terminate();
      });
    });
  }

  /** An open connection still taking envelopes, taking turns as Slack spreads them. */
  private pickConnection(): Live | null {
    const open = [...this.live.values()].filter((c) => !c.info.disconnectReason);
    if (open.length === 0) return null;
    this.roundRobin = (this.roundRobin + 1) % open.length;
    return open[this.roundRobin]!;
  }

  private async nextConnection(timeoutMs: number): Promise<Live | null> {
    if (this.closed) return null;
    const info = await this.waitForConnection(() => true, timeoutMs).catch(() => null);
    return info ? (this.live.get(info.id) ?? null) : null;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
