import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HUMANS } from "../../src/emulator/slack/seed.js";
import { demoHistory, seedHistory, weekLabel } from "../support/insights-history.js";
import type { SeedIncident } from "../support/insights-history.js";
import { chartSection, drawnFigures, expectedPageLoad, median } from "../support/insights-page.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

// A Wednesday: the current week's Monday and Tuesday have incidents, the rest of it is ahead.
const NOW = new Date("2026-03-18T12:00:00.000Z");
const ZONES: Record<string, string> = { U0BOB: "America/New_York", U0CAROL: "Europe/Berlin" };

let h: Harness;
let history: SeedIncident[];

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.url}${path}`, { headers });
const page = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return res.text();
};

beforeAll(async () => {
  h = await startHarness({
    clock: { now: () => NOW },
    configYaml: `timezone: UTC\n${TEST_CONFIG_YAML}\nservices:\n  - { name: checkout }\n  - { name: search }\n`,
    emulator: { users: DEFAULT_HUMANS.map((u) => (ZONES[u.id] ? { ...u, tz: ZONES[u.id] } : u)) },
  });
  history = demoHistory();
  await seedHistory(h.db.pool, NOW, history);
});
afterAll(async () => {
  await h?.stop();
});

const countWhere = (week: number, pred: (i: SeedIncident) => boolean = () => true) =>
  history.filter((i) => i.week === week && pred(i)).length;

describe("GET /insights over the last twelve weeks", () => {
  it("draws incidents per week stacked by severity, with the counts of the history", async () => {
    const body = await page("/insights");
    const drawn = drawnFigures(body, "incidents-per-week");
    for (let week = 0; week < 12; week++)
      for (const sev of ["P0", "P1", "P2", "P3"] as const)
        expect(drawn.get(sev)?.get(weekLabel(NOW, week)) ?? 0, `${sev} in week -${week}`).toBe(
          countWhere(week, (i) => i.severity === sev),
        );
    expect(body).toContain(`id="figure-incidents" data-value="${history.length}"`);
  });

  it("draws the median time to acknowledge per week and severity", async () => {
    const body = await page("/insights");
    const p50 = drawnFigures(body, "time-to-acknowledge").get("P1-p50")!;
    const delays = history
      .filter((i) => i.week === 2 && i.severity === "P1" && i.ack)
      .map((i) => i.ack!.afterMin * 60_000);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(p50.get(weekLabel(NOW, 2))).toBe(median(delays));
  });

  it("counts response-target breaches per week", async () => {
    const drawn = drawnFigures(await page("/insights"), "response-target-breaches");
    const total = [...(drawn.get("P0")?.values() ?? [])].reduce((a, b) => a + b, 0);
    expect(total).toBe(history.filter((i) => i.breached).length);
    expect(total).toBeGreaterThan(0);
  });

  it("counts each person's pages and night pages on their own clock, once Slack told their time zone", async () => {
    await page("/insights");
    await eventually(async () => {
      const r = await h.db.pool.query(
        "SELECT count(*) AS n FROM slack_profiles WHERE fetched_at IS NOT NULL",
      );
      return Number(r.rows[0].n) >= 3;
    }, "the profiles of the people paged, fetched through the outbox");
    const body = await page("/insights");
    const drawn = drawnFigures(body, "on-call-load");
    const expected = expectedPageLoad(NOW, history, ZONES);
    const names: Record<string, string> = {
      U0BOB: "Bob Baker",
      U0CAROL: "Carol Chen",
      U0ALICE: "Alice Archer",
    };
    for (const [user, load] of expected) {
      expect(drawn.get("pages")?.get(names[user]!), `${user} pages`).toBe(load.pages);
      expect(drawn.get("night")?.get(names[user]!), `${user} night pages`).toBe(load.night);
    }
    expect([...expected.values()].some((l) => l.night > 0)).toBe(true);
  });

  it("lists the noisiest alert groups: fired, resolved before anyone acknowledged, median duration", async () => {
    const body = await page("/insights");
    const drawn = drawnFigures(body, "noisy-alerts");
    const disk = history.filter((i) => i.alert?.labels.alertname === "DiskPressure");
    const fired = disk.reduce((n, i) => n + i.alert!.alerts, 0);
    expect(drawn.get("fired")?.get("DiskPressure · namespace=storage")).toBe(fired);
    expect(drawn.get("own")?.get("DiskPressure · namespace=storage")).toBe(fired);
    const table = chartSection(body, "noisy-alerts");
    expect(table).toMatch(/data-series="median"\s+data-value="540000"\s*>\s*9m\s*</);
  });

  it("shows run figures and the most used commands", async () => {
    const body = await page("/insights");
    const runs = history.flatMap((i) => i.runs ?? []);
    expect(body).toContain(`id="figure-runs" data-value="${runs.length}"`);
    const ended = runs.filter((r) => r.state !== "denied");
    const rate = ended.filter((r) => r.state === "succeeded").length / ended.length;
    expect(body).toContain(`id="figure-success-rate" data-value="${rate}"`);
    const drawn = drawnFigures(body, "top-commands");
    expect(drawn.get("runs")?.get("mysql-processlist")).toBe(
      runs.filter((r) => r.command === "mysql-processlist").length,
    );
  });

  it("offers every chart as a table and a CSV download", async () => {
    const body = await page("/insights");
    for (const id of [
      "time-to-acknowledge",
      "time-to-resolve",
      "incidents-per-week",
      "response-target-breaches",
      "on-call-load",
      "noisy-alerts",
      "top-commands",
    ]) {
      expect(chartSection(body, id)).toContain(`data-chart-table="${id}"`);
      expect(chartSection(body, id)).toContain(`href="/insights/${id}.csv?from=`);
    }
    const res = await get("/insights/incidents-per-week.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("week,P0,P1,P2,P3");
    const week2 = lines
      .find((l) => l.startsWith(weekLabel(NOW, 2)))!
      .split(",")
      .map(Number);
    expect(week2.slice(1).reduce((a, b) => a + b, 0)).toBe(countWhere(2));
  });
});

describe("filters", () => {
  it("narrows to a severity and to incidents from alerts", async () => {
    const body = await page("/insights?severity=P2&source=alert");
    const drawn = drawnFigures(body, "incidents-per-week");
    expect([...drawn.keys()]).toEqual(["P2"]);
    for (let week = 0; week < 12; week++)
      expect(drawn.get("P2")?.get(weekLabel(NOW, week)) ?? 0).toBe(
        countWhere(week, (i) => i.severity === "P2" && i.declaredBy === "alertmanager"),
      );
  });

  it("narrows to a service, offered in the form once services exist", async () => {
    const body = await page("/insights?service=checkout");
    expect(body).toMatch(/<option value="checkout"\s+selected>/);
    const checkout = history.filter((i) => i.service === "checkout");
    expect(checkout.length).toBeGreaterThan(0);
    expect(body).toContain(`id="figure-incidents" data-value="${checkout.length}"`);
    const pages = checkout.flatMap((i) => i.pages ?? []).length;
    expect(body).toContain(`id="figure-pages" data-value="${pages}"`);
  });

  it("takes a time range of local days", async () => {
    const from = weekLabel(NOW, 3);
    const to = new Date(Date.parse(weekLabel(NOW, 2)) + 6 * 86_400_000).toISOString().slice(0, 10);
    const body = await page(`/insights?from=${from}&to=${to}`);
    expect(body).toContain(`id="figure-incidents" data-value="${countWhere(3) + countWhere(2)}"`);
    expect([...(drawnFigures(body, "incidents-per-week").get("P2")?.keys() ?? [])]).toEqual([
      from,
      weekLabel(NOW, 2),
    ]);
  });

  it("answers 400 naming the field for input it cannot read, and shows the form again", async () => {
    for (const [query, field] of [
      ["from=2026-13-01", "from"],
      ["from=2026-03-10&to=2026-03-01", "to"],
      ["severity=P9", "severity"],
      ["source=robot", "source"],
      ["service=payments", "service"],
      ["from=2020-01-01&to=2026-01-01", "from"],
    ] as const) {
      const res = await get(`/insights?${query}`);
      expect(res.status, query).toBe(400);
      const body = await res.text();
      expect(body, query).toContain(`data-field="${field}"`);
      expect(body).toContain('<form class="filters"');
    }
    expect((await get("/insights/incidents-per-week.csv?severity=P9")).status).toBe(400);
    expect((await get("/insights/nothing.csv")).status).toBe(404);
  });
});
