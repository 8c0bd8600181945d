import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_EXAMPLE_CONFIG, parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import type { ConsolePanels } from "../../src/console/console-view.js";
import { startLocalMode } from "../../src/local-mode.js";
import type { LocalMode } from "../../src/local-mode.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { listIncidents } from "../../src/store/incidents/incidents.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";

let db: TestDatabase;
let local: LocalMode;
let runtime: Runtime;
let consoleUrl: string;
const PREFIX = `fbtest-console-pages-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  db = await createTestDatabase();
  // No provider configured at all: local mode emulates Twilio and ntfy.
  const env = readEnvOptions({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    FIREBREAK_REDIS_PREFIX: PREFIX,
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  expect(env.notify.twilio).toBeUndefined();
  const logger = createLogger(env.logLevel);
  local = await startLocalMode({ env, logger, print: () => undefined });
  runtime = await createRuntime({
    env,
    config: parseFirebreakConfig(readFileSync(BUNDLED_EXAMPLE_CONFIG, "utf8")),
    logger,
    role: "both",
    slack: local.slack,
  });
  const { port } = await runtime.start();
  await local.attach(`http://127.0.0.1:${port}`, runtime);
  consoleUrl = local.consoleUrl.replace(/\/$/, "");
});
afterAll(async () => {
  await runtime?.stop();
  await local?.stop();
  await db?.drop();
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const send = (as: string, channel: string, text: string) =>
  fetch(`${consoleUrl}/console/api/send`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ as, channel, text }),
  });
const pagesPanel = async () =>
  ((await (await fetch(`${consoleUrl}/console/panels?as=U0ALICE`)).json()) as ConsolePanels).pages ?? "";

describe("the local console's pages panel", () => {
  it("shows each page's deliveries (who, how, when, outcome) with no provider configured", async () => {
    expect(await pagesPanel()).toContain("No pages yet");
    await send("U0CAROL", "C0INCIDENTS", "/incident declare P1 Checkout is down");
    const incident = await eventually(async () => {
      const [latest] = await listIncidents(db.pool);
      return latest?.channelId ? latest : null;
    }, "incident");
    // Alice has push at once, SMS after 1m and a call after 3m in the bundled example.
    await send("U0CAROL", incident.channelId!, "/incident page @alice");
    const panel = await eventually(async () => {
      const html = await pagesPanel();
      return html.includes("🔔 push") && html.includes("push</code> al•••</td>") && html.includes(">sent<")
        ? html
        : null;
    }, "the page's deliveries");
    expect(panel).toContain(`#${incident.id}`);
    expect(panel).toContain("U0ALICE");
    expect(panel).toContain("💬 Slack DM");
    expect(panel).toMatch(/📱 SMS <code>phone<\/code> \+15••••••0010<\/td><td>[\d:]{8}<\/td><td>due</);
    expect(panel).toMatch(/📞 call <code>call<\/code> \+15••••••0010<\/td><td>[\d:]{8}<\/td><td>due</);
  });
});
