import { App as BoltApp, ExpressReceiver } from "@slack/bolt";
import type express from "express";
import type { Logger } from "pino";
import { FirebreakError } from "../core/errors.js";
import type { BotIdentity } from "./bot-identity.js";
import { pinoToSlackLogger } from "./slack-logger.js";
import { createSocketModeConnection } from "./socket-mode-connection.js";

/** Slack's door into Firebreak: the Bolt app over HTTP (on Firebreak's express app) or Socket Mode. */
export interface SlackApp {
  app: BoltApp;
  /** Socket Mode connects here; over HTTP the express app already serves /slack/events. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Bolt app. Its `authorize` answers from the bot identity resolved at start-up: no
 * Slack call on any request (Bolt's default `singleAuthorization` would call auth.test on
 * every command and click, and fail the request when Slack rate-limits it).
 */
export function createSlackApp(o: {
  signingSecret: string;
  identity: BotIdentity;
  log: Logger;
  /** HTTP: mounts `POST /slack/events` on this express app. */
  http?: express.Express;
  /** Socket Mode: the app-level token (xapp-…). */
  appToken?: string;
  apiUrl?: string;
}): SlackApp {
  const logger = pinoToSlackLogger(o.log, "bolt");
  const authorize = async () => o.identity.authorization();
  const clientOptions = {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    retryConfig: { retries: 0 },
  };
  const socket = o.appToken
    ? createSocketModeConnection({
        appToken: o.appToken,
        clientOptions,
        slackLogger: logger,
        log: o.log.child({ component: "socket-mode" }),
      })
    : null;
  const app = new BoltApp({
    receiver:
      socket?.receiver ??
      new ExpressReceiver({
        signingSecret: o.signingSecret,
        ...(o.http ? { app: o.http } : {}),
        endpoints: "/slack/events",
        processBeforeResponse: false,
        logger,
      }),
    authorize,
    logger,
    clientOptions,
  });
  app.error(async (err) => {
    // A request the journal could not take was not acknowledged: let the receiver answer
    // 500 now (Slack tells the person it failed) rather than time out after 3 seconds.
    const original = (err as { original?: unknown }).original ?? err;
    if (original instanceof FirebreakError && original.code === "dependency_unavailable") throw err;
    o.log.error({ err }, "unhandled error in a Slack listener");
  });
  return {
    app,
    async start() {
      await socket?.start();
    },
    async stop() {
      await socket?.stop();
    },
  };
}
