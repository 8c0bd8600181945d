import { describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import { parseIncidentCommand } from "../../src/core/incident/parse-command.js";
import { dueReport, parseReportWeek, reportWeek } from "../../src/core/insights/report-week.js";
import { buildWeeklyReport } from "../../src/core/insights/weekly-report.js";
import type { WeeklyReportFigures } from "../../src/core/insights/weekly-report.js";
import { meanText, renderWeeklyReport } from "../../src/slack/views/weekly-report.js";

const MONDAY_9 = { weekday: 1, hour: 9, minute: 0 };

describe("when the weekly report is due", () => {
  it("is due from Monday 09:00 in the config's zone, for the Monday-to-Sunday week before", () => {
    const s = { ...MONDAY_9, timeZone: "Europe/Berlin" };
    expect(dueReport(new Date("2026-03-16T08:00:00Z"), s)).toEqual({
      week: reportWeek("2026-03-09", "Europe/Berlin"),
      dueAt: new Date("2026-03-16T08:00:00Z"),
    });
    // 08:59 in Berlin: still last week's slot, which reported the week before that.
    expect(dueReport(new Date("2026-03-16T07:59:00Z"), s).week.start).toBe("2026-03-02");
    expect(dueReport(new Date("2026-03-19T12:00:00Z"), s).week.start).toBe("2026-03-09");
  });

  it("follows daylight saving: 09:00 stays 09:00 on the wall clock", () => {
    const s = { ...MONDAY_9, timeZone: "Europe/Berlin" };
    expect(dueReport(new Date("2026-03-30T09:00:00Z"), s).dueAt).toEqual(new Date("2026-03-30T07:00:00Z"));
  });

  it("takes another day and time", () => {
    const s = { weekday: 5, hour: 16, minute: 30, timeZone: "UTC" };
    expect(dueReport(new Date("2026-03-20T16:31:00Z"), s)).toMatchObject({
      week: { start: "2026-03-09", end: "2026-03-15" },
      dueAt: new Date("2026-03-20T16:30:00Z"),
    });
  });
});

describe("which week /incident report means", () => {
  const now = new Date("2026-03-18T12:00:00Z");
  const week = (t?: string) => {
    const r = parseReportWeek(t, now, "UTC");
    return r.ok ? r.week.start : r.message;
  };
  it("reads last (the default), this, a day and an ISO week", () => {
    expect(week()).toBe("2026-03-09");
    expect(week("last")).toBe("2026-03-09");
    expect(week("this")).toBe("2026-03-16");
    expect(week("2026-03-04")).toBe("2026-03-02");
    expect(week("2026-W11")).toBe("2026-03-09");
    expect(week("2026w1")).toBe("2025-12-29");
  });
  it("says what it takes otherwise", () => {
    expect(week("soon")).toContain("is not a week");
    expect(week("2026-W54")).toContain("2026 has weeks 1 to 53");
    expect(week("2026-04-01")).toContain("has not started yet");
  });
});

describe("parsing the new /incident subcommands", () => {
  it("takes a follow-up's text, lists follow-ups and names a report week", () => {
    expect(parseIncidentCommand("followup #12 Add a canary")).toEqual({
      type: "followup",
      text: "Add a canary",
      ref: 12,
    });
    expect(parseIncidentCommand("follow-up Add a canary")).toEqual({
      type: "followup",
      text: "Add a canary",
    });
    expect(parseIncidentCommand("followups")).toEqual({ type: "followups" });
    expect(parseIncidentCommand("report")).toEqual({ type: "report" });
    expect(parseIncidentCommand("report 2026-W11")).toEqual({ type: "report", week: "2026-W11" });
  });
  it("refuses a follow-up without text, too long, and a report of two weeks", () => {
    expect(() => parseIncidentCommand("followup")).toThrow(/Say what needs doing/);
    expect(() => parseIncidentCommand(`followup ${"x".repeat(501)}`)).toThrow(/keep it under 500/);
    expect(() => parseIncidentCommand("report last this")).toThrow(/Name one week/);
  });
});

describe("weekly_report in firebreak.yaml", () => {
  it("defaults to Monday 09:00 and is off without a channel or with enabled: false", () => {
    expect(parseFirebreakConfig("weekly_report: { channel: C0REPORTS }").weeklyReport).toEqual({
      channel: "C0REPORTS",
      weekday: 1,
      hour: 9,
      minute: 0,
    });
    expect(
      parseFirebreakConfig("weekly_report: { channel: '#leads', day: Friday, time: '16:30' }").weeklyReport,
    ).toEqual({
      channel: "#leads",
      weekday: 5,
      hour: 16,
      minute: 30,
    });
    expect(parseFirebreakConfig("{}").weeklyReport).toBeUndefined();
    expect(
      parseFirebreakConfig("weekly_report: { channel: C0REPORTS, enabled: false }").weeklyReport,
    ).toBeUndefined();
  });
  it("names the field and the fix when it is wrong", () => {
    expect(() => parseFirebreakConfig("weekly_report: { channel: C0REPORTS, time: '9am' }")).toThrow(
      /weekly_report\.time: use a 24-hour time like "09:00"/,
    );
    expect(() => parseFirebreakConfig("weekly_report: { channel: C0REPORTS, day: someday }")).toThrow(
      /weekly_report\.day: use a day of the week/,
    );
    expect(() => parseFirebreakConfig("weekly_report: { day: monday }")).toThrow(/weekly_report\.channel/);
  });
});

describe("the report's message", () => {
  const figures: WeeklyReportFigures = {
    week: reportWeek("2026-03-09", "UTC"),
    severities: [
      {
        week: "2026-03-09",
        severity: "P1",
        incidents: 2,
        acknowledged: 2,
        ttaP50Ms: 1,
        ttaP90Ms: 1,
        resolved: 2,
        ttrP50Ms: 1,
        ttrP90Ms: 1,
        breaches: 1,
      },
      {
        week: "2026-03-09",
        severity: "P3",
        incidents: 1,
        acknowledged: 1,
        ttaP50Ms: 1,
        ttaP90Ms: 1,
        resolved: 1,
        ttrP50Ms: 1,
        ttrP90Ms: 1,
        breaches: 0,
      },
    ],
    means: { incidents: 3, mttaMs: 12 * 60_000, mttrMs: 2 * 3_600_000 },
    previousMeans: { incidents: 5, mttaMs: 15 * 60_000, mttrMs: 90 * 60_000 },
    noisiest: [
      {
        groupKey: "a",
        labels: { alertname: "Disk<Pressure>" },
        fired: 9,
        resolved: 9,
        resolvedOnOwn: 8,
        medianDurationMs: 540_000,
      },
    ],
    load: [
      { userId: "U0CAROL", pages: 1, nightPages: 0, timeZone: "UTC" },
      { userId: "U0BOB", pages: 4, nightPages: 2, timeZone: "UTC" },
    ],
    postmortemsDue: {
      total: 7,
      oldest: [{ incidentId: 3, title: "Checkout", resolvedAt: new Date("2026-03-01T10:00:00Z") }],
    },
    openFollowUps: { total: 1, oldest: [{ incidentId: 3, number: 1, text: "Add a canary" }] },
  };
  const report = buildWeeklyReport(
    figures,
    (id) => ({ U0BOB: "Bob Baker", U0CAROL: "Carol Chen" })[id] ?? id,
  );

  it("compares MTTA and MTTR with the week before", () => {
    expect(meanText(report.mtta)).toBe("12m (:arrow_down_small: 3m faster than the week before's 15m)");
    expect(meanText(report.mttr)).toBe("2h (:arrow_up_small: 30m slower than the week before's 1h 30m)");
    expect(meanText({ ms: 60_000, previousMs: null, changeMs: null })).toBe(
      "1m (nothing to compare with the week before)",
    );
  });

  it("holds every section, escaped, within Block Kit's limits, with the link to /insights", () => {
    const { text, blocks } = renderWeeklyReport(
      report,
      "https://fb.example.com/insights?from=2026-03-09&to=2026-03-15",
    );
    const all = JSON.stringify(blocks);
    expect(text).toBe(
      "Weekly on-call report, 2026-03-09 to 2026-03-15: 3 incidents, 1 response targets missed.",
    );
    expect(all).toContain("*Incidents*\\n3 (P1 2 · P3 1)");
    expect(all).toContain("Disk&lt;Pressure&gt;: fired 9, 8 resolved on their own, median 9m");
    expect(all).toContain("• Bob Baker: 4 pages, 2 at night\\n• Carol Chen: 1 page, 0 at night");
    expect(all).toContain("*Postmortems still due*: 7\\n• #3 Checkout (resolved 2026-03-01)\\n_…and 6 more_");
    expect(all).toContain("#3 follow-up 1: Add a canary");
    expect(all).toContain("<https://fb.example.com/insights?from=2026-03-09&to=2026-03-15|Insights>");
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(renderWeeklyReport(report, undefined).blocks)).toContain(
      "set FIREBREAK_PUBLIC_URL",
    );
  });
});
