import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HUMANS } from "../../src/emulator/slack/seed.js";
import { demoHistory, seedHistory, weekLabel } from "../support/insights-history.js";
import type { SeedIncident } from "../support/insights-history.js";
import { expectedPageLoad, median } from "../support/insights-page.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

/** Debian's chromium, as in browser-console.test.ts: missing, the test fails rather than skips. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts/browser");
/** With UPDATE_DOCS_SCREENSHOT=1 the screenshots land in docs/ for the README. */
const SHOTS =
  process.env.UPDATE_DOCS_SCREENSHOT === "1" ? path.resolve(import.meta.dirname, "../../docs") : ARTIFACTS;

const NOW = new Date("2026-03-18T12:00:00.000Z");
const ZONES: Record<string, string> = { U0BOB: "America/New_York", U0CAROL: "Europe/Berlin" };
const NAMES: Record<string, string> = { U0BOB: "Bob Baker", U0CAROL: "Carol Chen", U0ALICE: "Alice Archer" };

let h: Harness;
let history: SeedIncident[];
let ids: number[];
let context: BrowserContext;
let page: Page;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does.`,
    );
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness({
    clock: { now: () => NOW },
    configYaml: `timezone: UTC\n${TEST_CONFIG_YAML}`,
    emulator: { users: DEFAULT_HUMANS.map((u) => (ZONES[u.id] ? { ...u, tz: ZONES[u.id] } : u)) },
  });
  history = demoHistory();
  ids = await seedHistory(h.db.pool, NOW, history);
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
    viewport: { width: 1560, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await h?.stop();
});

/** What a chart's SVG marks say: the value drawn for a series and category. */
const drawn = (chart: string, series: string, category: string) =>
  page
    .locator(`[data-chart="${chart}"] svg [data-series="${series}"][data-category="${category}"]`)
    .getAttribute("data-value")
    .then(Number);

/** What a chart's table view says, read from the visible cell after opening it. */
async function tableCell(chart: string, category: string, series: string): Promise<string> {
  const card = page.locator(`[data-chart="${chart}"]`);
  if ((await card.locator("details.table-view").getAttribute("open")) === null)
    await card.locator("details.table-view > summary").click();
  return card.locator(`tr[data-category="${category}"] td[data-series="${series}"]`).innerText();
}

describe("a team lead looking at how on-call is going", () => {
  it("opens /insights and sees the seeded history in the charts", async () => {
    await page.goto(`${h.url}/insights`);
    await expect(page.title()).resolves.toBe("Insights · Firebreak");
    for (let week = 0; week < 12; week++)
      for (const sev of ["P0", "P1", "P2", "P3"] as const) {
        const count = history.filter((i) => i.week === week && i.severity === sev).length;
        if (count) await expect(drawn("incidents-per-week", sev, weekLabel(NOW, week))).resolves.toBe(count);
      }
    const delays = history
      .filter((i) => i.week === 2 && i.severity === "P1" && i.ack)
      .map((i) => i.ack!.afterMin * 60_000);
    await expect(drawn("time-to-acknowledge", "P1-p50", weekLabel(NOW, 2))).resolves.toBe(median(delays));
    await expect(page.locator("#figure-incidents").getAttribute("data-value")).resolves.toBe(
      String(history.length),
    );
  });

  it("reads the same figures in a chart's table view", async () => {
    const disk = history
      .filter((i) => i.alert?.labels.alertname === "DiskPressure")
      .reduce((n, i) => n + i.alert!.alerts, 0);
    await expect(tableCell("noisy-alerts", "DiskPressure · namespace=storage", "fired")).resolves.toBe(
      String(disk),
    );
    await expect(tableCell("noisy-alerts", "DiskPressure · namespace=storage", "median")).resolves.toBe("9m");
  });

  it("sees night pages on each person's own clock once their profiles are known", async () => {
    await eventually(async () => {
      const r = await h.db.pool.query(
        "SELECT count(*) AS n FROM slack_profiles WHERE fetched_at IS NOT NULL",
      );
      return Number(r.rows[0].n) >= 3;
    }, "profiles fetched through the outbox");
    await page.reload();
    for (const [user, load] of expectedPageLoad(NOW, history, ZONES)) {
      await expect(drawn("on-call-load", "pages", NAMES[user]!)).resolves.toBe(load.pages);
      await expect(drawn("on-call-load", "night", NAMES[user]!)).resolves.toBe(load.night);
    }
    await page.screenshot({ path: path.join(SHOTS, "insights.png"), fullPage: true });
  });

  it("filters by severity with the form", async () => {
    await page.locator('form.filters input[name="severity"][value="P1"]').check();
    await page.locator('form.filters button[type="submit"]').click();
    await page.waitForURL(/severity=P1/);
    const p1 = history.filter((i) => i.severity === "P1").length;
    await expect(page.locator("#figure-incidents").getAttribute("data-value")).resolves.toBe(String(p1));
    await expect(
      page.locator('[data-chart="incidents-per-week"] svg [data-series="P2"]').count(),
    ).resolves.toBe(0);
  });

  it("opens an incident page: names, sentences, a timeline filter, the raw data, and ticks a follow-up off", async () => {
    const index = history.findIndex((i) => i.pages?.length && i.runs?.length);
    const withFollowUp = history.findIndex((i) => i.followUps?.some((f) => !f.doneBy));
    expect(index).toBeGreaterThanOrEqual(0);
    expect(withFollowUp).toBeGreaterThanOrEqual(0);
    const id = ids[index]!;
    await page.setViewportSize({ width: 1240, height: 1500 });
    await page.goto(`${h.url}/incidents/${id}`);
    await expect(page.locator("#audit").innerText()).resolves.toMatch(/Audit chain verified/);
    const spec = history[index]!;
    await expect(page.locator("#timeline").innerText()).resolves.toContain(
      `Paged ${NAMES[spec.pages![0]!.user]}`,
    );
    await page.screenshot({ path: path.join(SHOTS, "incident-page.png"), fullPage: false });
    await page.setViewportSize({ width: 1560, height: 1000 });
    await page.locator('nav.timeline-filters a[data-filter="runs"]').click();
    await page.waitForURL(/show=runs/);
    const kinds = await page
      .locator("#timeline tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.every((k) => k?.startsWith("run."))).toBe(true);
    const first = page.locator("#timeline tbody tr").first();
    await first.locator("details.raw > summary").click();
    await expect(first.locator("details.raw pre").innerText()).resolves.toContain('"kind": "run.');
    await expect(first.locator("td.hash").getAttribute("title")).resolves.toMatch(/^[0-9a-f]{64}$/);
    await page.goto(`${h.url}/incidents/${ids[withFollowUp]!}`);
    const followUp = page.locator("ul.follow-ups li.open").first();
    await followUp.locator('button[type="submit"]').click();
    await page.locator("ul.follow-ups li.done").first().waitFor();
    await expect(page.locator("#timeline").innerText()).resolves.toContain(
      "local (web) ticked off follow-up 1",
    );
    await expect(page.locator("#postmortem-summary").innerText()).resolves.toMatch(/^On \w+day/);
    await page.emulateMedia({ media: "print" });
    await expect(page.locator("header.bar").isVisible()).resolves.toBe(false);
    await page.emulateMedia({ media: "screen" });
  });
});
