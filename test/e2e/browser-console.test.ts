import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { startPrivateRedis } from "../support/private-redis.js";
import type { PrivateRedis } from "../support/private-redis.js";
import { parse } from "yaml";
import { BUNDLED_EXAMPLE_CONFIG, parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import { startLocalMode } from "../../src/local-mode.js";
import type { LocalMode } from "../../src/local-mode.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually } from "../support/harness.js";

/** Debian's chromium; CI installs it (.ci/run). Missing, the test fails: it must not skip silently. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts/browser");
const UPDATE_DOCS_SCREENSHOT = process.env.UPDATE_DOCS_SCREENSHOT === "1";

let db: TestDatabase;
let local: LocalMode;
let runtime: Runtime;
let firebreakUrl: string;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
let redis: Redis;
let originalPolicy: string | undefined;
// The remediation changes maxmemory-policy, a server-wide setting: the demo target points at a Redis of this file's own.
let demoRedis: PrivateRedis;

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** The demo config local mode starts with: the example roles and policies, and its targets. */
const CONFIG_YAML = readFileSync(BUNDLED_EXAMPLE_CONFIG, "utf8");
/** The demo Redis target the runs act on (the remediation may set its maxmemory-policy). */
const DEMO_REDIS = "cache";
const demoRedisUrl = () =>
  (parse(CONFIG_YAML) as { targets: { redis: Record<string, { url: string }> } }).targets.redis[DEMO_REDIS]!
    .url;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does.`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  const env = readEnvOptions({
    DATABASE_URL: db.url,
    REDIS_URL,
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  const logger = createLogger(env.logLevel);
  local = await startLocalMode({ env, logger, print: () => undefined });
  demoRedis = await startPrivateRedis();
  redis = new Redis(demoRedis.url);
  originalPolicy = ((await redis.config("GET", "maxmemory-policy")) as string[])[1];
  runtime = await createRuntime({
    env,
    config: parseFirebreakConfig(CONFIG_YAML.replace(`url: ${demoRedisUrl()}`, `url: ${demoRedis.url}`)),
    logger,
    role: "both",
    slack: local.slack,
  });
  const { port } = await runtime.start();
  firebreakUrl = `http://127.0.0.1:${port}`;
  await local.attach(firebreakUrl, runtime);
  userDataDir = mkdtempSync(path.join(tmpdir(), "firebreak-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
    viewport: { width: 1280, height: 800 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("dialog", (d) => void d.accept());
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await runtime?.stop();
  await local?.stop();
  await db?.drop();
  if (originalPolicy) await redis?.config("SET", "maxmemory-policy", originalPolicy);
  redis?.disconnect();
  await demoRedis?.stop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const toast = () => page.locator("#toast");

async function send(text: string) {
  await page.fill("#composer-input", text);
  await page.press("#composer-input", "Enter");
}

async function actAs(userId: string) {
  await page.selectOption("#user-switch", userId);
  await page.waitForFunction(`document.body.dataset.user === ${JSON.stringify(userId)}`);
}

describe("a newcomer trying Firebreak in the browser console", () => {
  it("declares an incident from the composer and sees its channel, summary and buttons", async () => {
    await page.goto(`${local.consoleUrl}?as=U0CAROL`);
    await expect(page.title()).resolves.toBe("Firebreak local console");
    await send("/incident declare P1 Checkout is failing");
    const channelLink = page.locator("#sidebar a.channel", { hasText: "inc-" }).first();
    await channelLink.waitFor({ timeout: 15_000 });
    await channelLink.click();
    await page.locator('button[data-action-id="incident.ack"]').waitFor({ timeout: 15_000 });
    await expect(page.locator("#messages").innerText()).resolves.toContain("Checkout is failing");
    await page.locator("#messages .pin").first().waitFor({ timeout: 15_000 });
    await shot("01-declared");
  });

  it("acknowledges by button as another user", async () => {
    await actAs("U0BOB");
    await page.click('button[data-action-id="incident.ack"]');
    await page.locator("#messages", { hasText: "acknowledged incident" }).waitFor({ timeout: 15_000 });
    await page
      .locator('button[data-action-id="incident.ack"]')
      .waitFor({ state: "detached", timeout: 15_000 });
    const [incident] = await listIncidents(db.pool);
    expect(incident).toMatchObject({ state: "acknowledged", acknowledgedBy: "U0BOB" });
    await shot("02-acknowledged");
  });

  it("changes the severity with a select, as an admin", async () => {
    await actAs("U0ALICE");
    const select = page.locator('select[data-action-id="incident.severity"]');
    const p0 = await select.locator("option", { hasText: "P0" }).getAttribute("value");
    await select.selectOption(p0);
    const [incident] = await listIncidents(db.pool);
    await eventually(
      async () => (await listIncidents(db.pool)).find((i) => i.id === incident!.id)?.severity === "P0",
      "severity changed to P0",
    );
    await page.locator("#messages", { hasText: "changed severity P1 → P0" }).waitFor({ timeout: 15_000 });
  });

  it("adds a note through a modal", async () => {
    await page.click('button[data-action-id="incident.add_note"]');
    const modal = page.locator("form.modal");
    await modal.waitFor({ timeout: 15_000 });
    await modal.locator("textarea, input[type=text]").first().fill("Rolled back checkout-api to v41");
    await shot("03-note-modal");
    await modal.locator('button[type="submit"]').click();
    await modal.waitFor({ state: "detached", timeout: 15_000 });
    const [incident] = await listIncidents(db.pool);
    await eventually(
      async () =>
        (await listTimeline(db.pool, incident!.id)).some(
          (e) => e.kind === "incident.note" && JSON.stringify(e.data).includes("Rolled back"),
        ),
      "note on the timeline",
    );
  });

  it("runs a diagnostic from the incident channel", async () => {
    await actAs("U0CAROL");
    await send(`/run redis-ping target=${DEMO_REDIS} count=2`);
    await page.locator("#messages", { hasText: "redis-ping" }).waitFor({ timeout: 15_000 });
    const [incident] = await listIncidents(db.pool);
    await eventually(
      async () =>
        (await listTimeline(db.pool, incident!.id)).some(
          (e) => e.kind === "run.succeeded" && JSON.stringify(e.data).includes("redis-ping"),
        ),
      "the diagnostic's result on the timeline",
    );
  });

  it("requests a remediation as one user and approves it as another", async () => {
    const policy = originalPolicy === "allkeys-lru" ? "noeviction" : "allkeys-lru";
    await send(`/run redis-set-maxmemory-policy target=${DEMO_REDIS} policy=${policy}`);
    const approve = page.locator('button[data-action-id="run.approve"]').last();
    await approve.waitFor({ timeout: 15_000 });
    await shot("04-approval-requested");
    await actAs("U0ALICE");
    await approve.click();
    await eventually(
      async () => ((await redis.config("GET", "maxmemory-policy")) as string[])[1] === policy,
      "the approved remediation applied",
    );
    const [incident] = await listIncidents(db.pool);
    const runs = (await listTimeline(db.pool, incident!.id)).filter((e) => e.kind.startsWith("run."));
    expect(runs.find((e) => e.kind === "run.approved")?.actor).toBe("U0ALICE");
    expect(
      runs.find((e) => e.kind === "run.requested" && JSON.stringify(e.data).includes("maxmemory"))?.actor,
    ).toBe("U0CAROL");
  });

  it("fires a test alert that reaches Firebreak as an Alertmanager webhook", async () => {
    const before = (await listIncidents(db.pool)).length;
    await page.click("#fire-alert");
    await expect(toast().innerText()).resolves.toBeDefined();
    await page
      .locator("#toast.ok", { hasText: "firing: Firebreak answered 2" })
      .waitFor({ timeout: 15_000 })
      .catch(async (err: unknown) => {
        throw new Error(`no success shown for the alert; the console said: ${await toast().innerText()}`, {
          cause: err,
        });
      });
    const fromAlert = await eventually(async () => {
      const all = await listIncidents(db.pool);
      return all.length > before ? all.find((i) => i.source !== "slack") : null;
    }, "an incident opened by the alert");
    expect(fromAlert.title).toContain("CheckoutHighErrorRate");
    await shot("05-alert");
  });

  it("opens the incident page with the timeline verified", async () => {
    const incidents = await listIncidents(db.pool);
    const declared = incidents.find((i) => i.source === "slack")!;
    await page.goto(`${firebreakUrl}/incidents`);
    await page.locator(`tr[data-incident="${declared.id}"]`).waitFor();
    await page.click(`a[href="/incidents/${declared.id}"] >> nth=0`);
    await expect(page.locator("#audit").innerText()).resolves.toMatch(/Audit chain verified/);
    // Names come from people: in firebreak.yaml (Alice), else from Slack's profiles, which
    // the first look asks for in the background (Carol); the next look shows them.
    await eventually(async () => {
      const r = await db.pool.query(
        "SELECT count(*) AS n FROM slack_profiles WHERE user_id = 'U0CAROL' AND name IS NOT NULL",
      );
      return Number((r.rows[0] as { n: string }).n) === 1;
    }, "names from the Slack profiles");
    await page.reload();
    const kinds = await Promise.all(
      (await page.locator("#timeline tbody tr").all()).map((row) => row.getAttribute("data-kind")),
    );
    expect(kinds).toEqual(
      expect.arrayContaining(["incident.declared", "incident.acknowledged", "incident.note"]),
    );
    const postmortem = await page.locator("#postmortem").innerText();
    expect(postmortem).toContain("Rolled back checkout-api to v41");
    expect(postmortem).toContain("redis-ping by Carol Chen: succeeded");
    expect(postmortem).toContain(
      "redis-set-maxmemory-policy by Carol Chen: succeeded (approved by Alice Archer)",
    );
    await shot("06-incident-page");
  });

  it("leaves a screenshot of the console for the README", async () => {
    const [incident] = (await listIncidents(db.pool)).filter((i) => i.source === "slack");
    await page.goto(`${local.consoleUrl}?as=U0BOB&channel=${incident!.channelId}`);
    await page.locator('button[data-action-id="incident.resolve"]').waitFor();
    const file = UPDATE_DOCS_SCREENSHOT
      ? path.resolve(import.meta.dirname, "../../docs/console.png")
      : path.join(ARTIFACTS, "console.png");
    await page.screenshot({ path: file });
    expect(existsSync(file)).toBe(true);
  });
});
