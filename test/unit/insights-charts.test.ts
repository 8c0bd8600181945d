import { describe, expect, it } from "vitest";
import { buildInsights } from "../../src/core/insights/build-insights.js";
import { chartCsv, chartTable } from "../../src/core/insights/chart.js";
import { parseInsightsQuery } from "../../src/core/insights/filter.js";
import type { InsightsFigures, WeekSeverityFigures } from "../../src/core/insights/figures.js";
import { alertGroupName, isNightHour } from "../../src/core/insights/figures.js";
import { chartFigure } from "../../src/web/charts/chart-figure.js";
import { niceTicks } from "../../src/web/charts/scale.js";

const NOW = new Date("2026-03-18T12:00:00.000Z");
const parsed = parseInsightsQuery({ from: "2026-03-02", to: "2026-03-22" }, { now: NOW, timeZone: "UTC" });
if (!parsed.ok) throw new Error("filter");
const filter = parsed.filter;

const week = (
  w: string,
  severity: WeekSeverityFigures["severity"],
  over: Partial<WeekSeverityFigures> = {},
): WeekSeverityFigures => ({
  week: w,
  severity,
  incidents: 2,
  acknowledged: 2,
  ttaP50Ms: 240_000,
  ttaP90Ms: 600_000,
  resolved: 2,
  ttrP50Ms: 3_600_000,
  ttrP90Ms: 7_200_000,
  breaches: 0,
  ...over,
});

const figures: InsightsFigures = {
  weeks: [
    week("2026-03-02", "P1", { breaches: 1 }),
    week("2026-03-16", "P1"),
    week("2026-03-16", "P3", { incidents: 5, acknowledged: 0, ttaP50Ms: null, ttaP90Ms: null }),
  ],
  pageLoad: [
    { userId: "U0CAROL", pages: 2, nightPages: 0, timeZone: "Europe/Berlin" },
    { userId: "U0BOB", pages: 7, nightPages: 3, timeZone: "America/New_York" },
  ],
  noisyAlerts: [
    {
      groupKey: '{}:{alertname="Disk"}',
      labels: { namespace: "storage", alertname: "Disk" },
      fired: 9,
      resolved: 9,
      resolvedOnOwn: 8,
      medianDurationMs: 540_000,
    },
  ],
  runs: { requested: 10, started: 8, succeeded: 6, failed: 2, notRun: 2 },
  commands: [{ command: "mysql-processlist", runs: 6, succeeded: 6, failed: 0 }],
};

const insights = buildInsights(
  figures,
  filter,
  (id) => ({ U0BOB: "Bob Baker", U0CAROL: "Carol Chen" })[id] ?? id,
);
const chart = (id: string) => insights.charts.find((c) => c.id === id)!;

describe("turning aggregates into chart data", () => {
  it("has a category for every week of the range, empty weeks included", () => {
    expect(chart("incidents-per-week").categories).toEqual(["2026-03-02", "2026-03-09", "2026-03-16"]);
    expect(chart("incidents-per-week").series.map((s) => [s.key, s.values])).toEqual([
      ["P1", [2, 0, 2]],
      ["P3", [0, 0, 5]],
    ]);
  });

  it("draws median and p90 lines per severity, with gaps where a week has no figure", () => {
    const tta = chart("time-to-acknowledge");
    expect(tta.series.map((s) => s.key)).toEqual(["P1-p50", "P1-p90", "P3-p50", "P3-p90"]);
    expect(tta.series[0]!.values).toEqual([240_000, null, 240_000]);
    expect(tta.series[1]!.dashed).toBe(true);
    expect(tta.series[2]!.values).toEqual([null, null, null]);
  });

  it("shows the breach share of incidents in the table only", () => {
    const share = chart("response-target-breaches").series.find((s) => s.key === "share")!;
    expect(share).toMatchObject({ tableOnly: true, values: [0.5, null, 0] });
  });

  it("lists people by pages, busiest first, by name", () => {
    expect(chart("on-call-load").categories).toEqual(["Bob Baker", "Carol Chen"]);
    expect(chart("on-call-load").series.map((s) => s.values)).toEqual([
      [7, 2],
      [3, 0],
    ]);
  });

  it("names alert groups by alertname, then their labels", () => {
    expect(alertGroupName({ namespace: "storage", alertname: "Disk", cluster: "eu" })).toBe(
      "Disk · cluster=eu · namespace=storage",
    );
    expect(chart("noisy-alerts").categories).toEqual(["Disk · namespace=storage"]);
  });

  it("computes the run success rate over runs that ran to an end", () => {
    expect(insights.runs.successRate).toBe(0.75);
    expect(insights.totals).toEqual({ incidents: 9, breaches: 1, pages: 9, nightPages: 3 });
  });

  it("treats 22:00 to 07:00 as night", () => {
    expect([21, 22, 23, 0, 6, 7].map(isNightHour)).toEqual([false, true, true, true, true, false]);
  });
});

describe("the table view and CSV", () => {
  it("has one row per category and a column per series", () => {
    const t = chartTable(chart("noisy-alerts"));
    expect(t.header).toEqual([
      "alert group",
      "fired",
      "resolved on their own",
      "resolved",
      "median duration",
    ]);
    expect(t.rows).toEqual([{ category: "Disk · namespace=storage", values: [9, 8, 9, 540_000] }]);
  });

  it("writes durations in seconds, quotes what needs quoting and defuses spreadsheet formulas", () => {
    expect(chartCsv(chart("noisy-alerts"))).toBe(
      'alert group,details,fired,resolved on their own,resolved,median duration (seconds)\r\nDisk · namespace=storage,"{}:{alertname=""Disk""}",9,8,9,540\r\n',
    );
    const evil = { ...chart("top-commands"), categories: ["=HYPERLINK(1)"] };
    expect(chartCsv(evil).split("\r\n")[1]).toMatch(/^"=HYPERLINK\(1\)",/);
  });
});

describe("the SVG and its card", () => {
  it("carries every drawn figure in data attributes, with a table, a legend and a CSV link", () => {
    const html = chartFigure(chart("incidents-per-week"), "/insights/incidents-per-week.csv?x=1").value;
    expect(html).toMatch(/<svg[^>]*data-kind="stacked-bars"/);
    expect(html).toMatch(/data-series="P3"\s+data-category="2026-03-16"\s+data-value="5"/);
    expect(html).toContain('data-chart-table="incidents-per-week"');
    expect(html).toContain('href="/insights/incidents-per-week.csv?x=1"');
    expect(html).toContain('class="legend"');
  });

  it("says why a chart is empty instead of drawing nothing, and opens its table", () => {
    const empty = {
      ...chart("noisy-alerts"),
      categories: [],
      categoryDetails: [],
      series: chart("noisy-alerts").series.map((s) => ({ ...s, values: [] })),
    };
    const html = chartFigure(empty, "/x.csv").value;
    expect(html).toContain("No alerts fired in this range.");
    expect(html).not.toContain("<svg");
    expect(html).toMatch(/<details class="table-view"\s+open/);
  });

  it("escapes labels", () => {
    const html = chartFigure(
      { ...chart("top-commands"), categories: ['<script>x</script>"'] },
      "/x.csv",
    ).value;
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
  });

  it("puts axis ticks at round values", () => {
    expect(niceTicks(7, "count")).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(50 * 60_000, "duration")).toEqual([0, 900_000, 1_800_000, 2_700_000, 3_600_000]);
  });
});
