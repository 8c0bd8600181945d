import { randomBytes } from "node:crypto";
import { parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import type { Clock } from "../../src/core/ports.js";
import { createSlackRequestSender, startSlackEmulator } from "../../src/emulator/slack/index.js";
import type {
  SlackEmulator,
  SlackEmulatorOptions,
  SlackRequestSender,
} from "../../src/emulator/slack/index.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { createTestDatabase } from "./db.js";
import type { TestDatabase } from "./db.js";

/** The roles the end-to-end tests assume: alice admin, bob commander, carol responder, dave nobody. */
export const TEST_CONFIG_YAML = `
slack:
  announcements_channel: C0INCIDENTS
roles:
  admin: { users: [U0ALICE] }
  commander: { users: [U0BOB] }
  responder: { users: [U0CAROL] }
`;

export interface Harness {
  db: TestDatabase;
  emulator: SlackEmulator;
  runtime: Runtime;
  sender: SlackRequestSender;
  config: FirebreakConfig;
  url: string;
  signingSecret: string;
  stop(): Promise<void>;
}

/** How to start a harness; everything has a default. */
export interface HarnessOptions {
  configYaml?: string;
  clock?: Clock;
  env?: Record<string, string>;
  /**
   * How Slack reaches Firebreak: signed HTTP requests to /slack/events (the default), or
   * Socket Mode (SLACK_APP_TOKEN set), envelopes on the connection Firebreak opens.
   */
  slackTransport?: "http" | "socket";
  /** Options for the Slack emulator (Socket Mode timings, users…). */
  emulator?: SlackEmulatorOptions;
}

/**
 * A whole Firebreak (web + worker) on a free loopback port, on a database of its own,
 * talking to a Slack emulator through the real Slack SDKs; requests signed as Slack signs
 * them, or sent over Socket Mode.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const emulator = await startSlackEmulator(opts.emulator ?? {});
  const signingSecret = randomBytes(12).toString("hex");
  const socketMode = opts.slackTransport === "socket";
  const env = readEnvOptions({
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    ...(socketMode ? { SLACK_APP_TOKEN: emulator.appToken } : {}),
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...opts.env,
  });
  const config = parseFirebreakConfig(opts.configYaml ?? TEST_CONFIG_YAML);
  const runtime = await createRuntime({
    env,
    config,
    logger: createLogger(env.logLevel),
    role: "both",
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const { port } = await runtime.start();
  const url = `http://127.0.0.1:${port}`;
  const sender = socketMode
    ? createSlackRequestSender({ socketMode: true, emulator })
    : createSlackRequestSender({ targetUrl: `${url}/slack/events`, signingSecret, emulator });
  return {
    db,
    emulator,
    runtime,
    sender,
    config,
    url,
    signingSecret,
    async stop() {
      await runtime.stop();
      await emulator.close();
      await db.drop();
    },
  };
}

/** Polls `fn` until it returns a truthy value (bounded), for effects that land asynchronously. */
export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
