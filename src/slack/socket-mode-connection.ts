import { SocketModeReceiver } from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import type { WebClientOptions } from "@slack/web-api";
import type { Logger } from "pino";
import { socketModeStartError } from "./socket-mode-errors.js";

/** Bolt's Socket Mode receiver, with the connection kept up by Firebreak rather than the SDK. */
export interface SocketModeConnection {
  /** Give this to Bolt's App as its `receiver`. */
  receiver: SocketModeReceiver;
  /**
   * Opens the first connection. Rejects (config_invalid) only when Slack refuses the app
   * token; when Slack is out of reach it resolves and keeps trying in the background, so
   * the process still serves its HTTP doors (alerts, probes).
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A close handshake the peer never finishes must not hold up shutdown. */
const bounded = (p: Promise<unknown> | null) =>
  Promise.race([p, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);

/** Waits before successive reconnection attempts; the last one repeats. */
const RETRY_DELAYS_MS = [0, 1000, 2000, 5000, 10_000, 30_000];

/**
 * A Socket Mode connection that reconnects by itself. The SDK's own reconnection is off
 * because it waits five seconds after each of Slack's routine `disconnect` messages (every
 * click in that gap fails with dispatch_failed), and because a failed apps.connections.open
 * during a reconnection (a Slack outage, a revoked token) ends up as an unhandled promise
 * rejection, which stops the process. Here it reconnects at once, then backs off, forever.
 */
export function createSocketModeConnection(o: {
  appToken: string;
  /** The Web API client options (SLACK_API_URL) apps.connections.open is called with. */
  clientOptions: Omit<WebClientOptions, "logger" | "logLevel">;
  slackLogger: SlackLogger;
  log: Logger;
  retryDelaysMs?: number[];
}): SocketModeConnection {
  const delays = o.retryDelaysMs ?? RETRY_DELAYS_MS;
  const receiver = new SocketModeReceiver({
    appToken: o.appToken,
    logger: o.slackLogger,
    autoReconnectEnabled: false,
    installerOptions: { clientOptions: { ...o.clientOptions } },
  });
  const client = receiver.client;
  let stopping = false;
  let reconnecting: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function reconnect(): Promise<void> {
    for (let attempt = 0; !stopping; attempt++) {
      await sleep(delays[Math.min(attempt, delays.length - 1)] ?? 0);
      if (stopping) return;
      try {
        await client.start();
        o.log.info({ attempt: attempt + 1 }, "socket mode reconnected");
        return;
      } catch (err) {
        if (stopping) return;
        const fe = socketModeStartError(err);
        const level = fe.code === "config_invalid" ? "error" : "warn";
        o.log[level]({ err: fe, attempt: attempt + 1 }, "socket mode: cannot reconnect yet; retrying");
      }
    }
  }

  const ensureReconnecting = () => {
    if (stopping || reconnecting) return;
    reconnecting = reconnect().finally(() => {
      reconnecting = null;
    });
  };
  // With the SDK's reconnection off, every lost connection (a disconnect message, a missed
  // pong, a dropped socket) ends here.
  client.on("disconnected", () => {
    if (stopping) return;
    o.log.info("socket mode connection closed; reconnecting");
    ensureReconnecting();
  });

  return {
    receiver,
    async start() {
      stopping = false;
      try {
        await client.start();
        o.log.info("socket mode connected");
      } catch (err) {
        const fe = socketModeStartError(err);
        if (fe.code === "config_invalid") throw fe;
        o.log.warn({ err: fe }, "socket mode: Slack is out of reach; serving HTTP and retrying");
        ensureReconnecting();
      }
    },
    async stop() {
      stopping = true;
      wake?.();
      await bounded(client.disconnect());
      await bounded(reconnecting);
      // An attempt that was in flight may have connected meanwhile.
      await bounded(client.disconnect());
    },
  };
}
