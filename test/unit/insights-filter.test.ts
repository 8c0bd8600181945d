import { describe, expect, it } from "vitest";
import { defaultRange, filterQuery, parseInsightsQuery, weeksOf } from "../../src/core/insights/filter.js";

const NOW = new Date("2026-03-18T12:00:00.000Z"); // a Wednesday

describe("reading the insights filter", () => {
  it("defaults to the current week and the eleven before it, Monday to Sunday", () => {
    const r = parseInsightsQuery({}, { now: NOW, timeZone: "UTC" });
    expect(r.ok && r.filter).toMatchObject({
      fromDay: "2025-12-29",
      toDay: "2026-03-22",
      from: new Date("2025-12-29T00:00:00.000Z"),
      to: new Date("2026-03-23T00:00:00.000Z"),
      severities: [],
    });
    expect(r.ok && weeksOf(r.filter)).toHaveLength(12);
  });

  it("reads days in the config's time zone, daylight saving included", () => {
    const r = parseInsightsQuery(
      { from: "2026-03-23", to: "2026-03-29" },
      { now: NOW, timeZone: "Europe/Berlin" },
    );
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.filter.from.toISOString()).toBe("2026-03-22T23:00:00.000Z");
    // Summer time starts on the 29th: the week ends at midnight CEST.
    expect(r.filter.to.toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(weeksOf(r.filter)).toEqual(["2026-03-23"]);
  });

  it("starts weeks on the config's Mondays", () => {
    expect(defaultRange(new Date("2026-03-15T23:30:00.000Z"), "Europe/Berlin", 1)).toEqual({
      fromDay: "2026-03-16",
      toDay: "2026-03-22",
    });
  });

  it("takes severities in any spelling, repeated or comma-separated, in order of urgency", () => {
    const r = parseInsightsQuery({ severity: ["p2", "SEV-0,P2"] }, { now: NOW, timeZone: "UTC" });
    expect(r.ok && r.filter.severities).toEqual(["P0", "P2"]);
  });

  it("says which field is wrong and how to fix it", () => {
    const problem = (q: Record<string, string>, services?: string[]) => {
      const r = parseInsightsQuery(q, { now: NOW, timeZone: "UTC", ...(services ? { services } : {}) });
      return r.ok ? null : r.problem;
    };
    expect(problem({ from: "2026-02-30" })).toMatchObject({
      field: "from",
      message: expect.stringContaining("YYYY-MM-DD"),
    });
    expect(problem({ from: "2026-03-10", to: "2026-03-01" })).toMatchObject({
      field: "to",
      message: expect.stringContaining("swap"),
    });
    expect(problem({ from: "2023-01-01", to: "2026-01-01" })).toMatchObject({ field: "from" });
    expect(problem({ severity: "urgent" })).toMatchObject({
      field: "severity",
      message: expect.stringContaining("P0, P1, P2, P3"),
    });
    expect(problem({ source: "robot" })).toMatchObject({ field: "source" });
    expect(problem({ service: "checkout" })).toMatchObject({
      field: "service",
      message: expect.stringContaining("No services"),
    });
    expect(problem({ service: "cart" }, ["checkout"])).toMatchObject({
      field: "service",
      message: expect.stringContaining("checkout"),
    });
    expect(problem({ service: "checkout" }, ["checkout"])).toBeNull();
  });

  it("writes the filter back as a query string", () => {
    const r = parseInsightsQuery({ severity: "P1", source: "alert" }, { now: NOW, timeZone: "UTC" });
    expect(r.ok && filterQuery(r.filter)).toBe("from=2025-12-29&to=2026-03-22&severity=P1&source=alert");
  });
});
