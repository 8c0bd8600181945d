import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import { startSlackEmulator } from "../../src/emulator/slack/index.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { SlackEmulator } from "../../src/emulator/slack/index.js";
import { runCli } from "../support/cli.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";

let emulator: SlackEmulator;
let db: TestDatabase;
beforeAll(async () => {
  emulator = await startSlackEmulator();
  db = await createTestDatabase();
});
afterAll(async () => {
  await emulator?.close();
  await db?.drop();
});

/** `firebreak web` in Socket Mode against the emulator: no signing secret, no public URL. */
const startWeb = (appToken: string) =>
  runCli(["web"], {
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_APP_TOKEN: appToken,
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
  });

describe("starting in Socket Mode", () => {
  it("stops with one line naming SLACK_APP_TOKEN and the fix when Slack refuses the token", async () => {
    const r = await startWeb("xapp-1-A0FIREBRK-1-revoked");
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^firebreak: SLACK_APP_TOKEN: Slack refused the app-level token \(invalid_auth\)\. Create one with the connections:write scope .*or unset SLACK_APP_TOKEN/,
      ),
    ]);
    expect(emulator.callsTo("apps.connections.open").map((c) => c.response)).toEqual([
      { ok: false, error: "invalid_auth" },
    ]);
    expect(emulator.socketMode.connections()).toEqual([]);
  });

  it("serves its HTTP doors while Slack is out of reach, and connects once Slack answers", async () => {
    emulator.failNext("apps.connections.open", { httpStatus: 503 }, 2);
    const before = emulator.callsTo("apps.connections.open").length;
    const env = readEnvOptions({
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_APP_TOKEN: emulator.appToken,
      SLACK_API_URL: emulator.apiUrl,
      DATABASE_URL: db.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      PORT: "0",
      HOST: "127.0.0.1",
    });
    const runtime = await createRuntime({
      env,
      config: parseFirebreakConfig(""),
      logger: createLogger("silent"),
      role: "web",
    });
    try {
      const { port } = await runtime.start();
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      await emulator.socketMode.waitForConnection();
      const opens = emulator.callsTo("apps.connections.open").slice(before);
      expect(opens.map((c) => c.status)).toEqual([503, 503, 200]);
    } finally {
      await runtime.stop();
    }
  });
});
