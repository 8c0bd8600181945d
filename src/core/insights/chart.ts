/** How a figure reads: a count, a duration in milliseconds, or a share of 1. */
export type Unit = "count" | "duration" | "ratio";

/** One line or bar series of a chart: a value (or none) per category. */
export interface Series {
  key: string;
  label: string;
  values: (number | null)[];
  unit: Unit;
  /** A palette slot; series sharing a group (a severity) share a colour. */
  group?: string;
  dashed?: boolean;
  /** Shown in the table and the CSV only, not drawn (another unit, or detail). */
  tableOnly?: boolean;
}

/**
 * A chart as data: categories along one axis (weeks, people, alert groups) and series of
 * figures. Pure data, rendered as SVG and as a table, and downloadable as CSV.
 */
export interface Chart {
  id: string;
  title: string;
  /** What the figures mean, in a sentence. */
  description: string;
  kind: "line" | "stacked-bars" | "bars";
  /** Bars run across (one row per person) instead of up. */
  horizontal?: boolean;
  categoryLabel: string;
  categories: string[];
  /** Optional longer text per category (an alert group's labels). */
  categoryDetails?: string[];
  series: Series[];
  /** Shown instead of an empty plot. */
  emptyText: string;
}

/** True when the chart has at least one figure to draw. */
export function hasData(chart: Chart): boolean {
  return chart.series.some((s) => !s.tableOnly && s.values.some((v) => v !== null && v !== 0));
}

/** The chart's table view: a header and one row per category, raw figures (ms for durations). */
export function chartTable(chart: Chart): {
  header: string[];
  rows: { category: string; values: (number | null)[] }[];
} {
  return {
    header: [chart.categoryLabel, ...chart.series.map((s) => s.label)],
    rows: chart.categories.map((category, i) => ({
      category,
      values: chart.series.map((s) => s.values[i] ?? null),
    })),
  };
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * The table as CSV (RFC 4180, CRLF). Durations are in seconds (a header says so), ratios
 * as fractions. Text that a spreadsheet would run as a formula is quoted.
 */
export function chartCsv(chart: Chart): string {
  const unitSuffix = (s: Series) => (s.unit === "duration" ? " (seconds)" : "");
  const header = [
    chart.categoryLabel,
    ...(chart.categoryDetails ? ["details"] : []),
    ...chart.series.map((s) => `${s.label}${unitSuffix(s)}`),
  ];
  const lines = [header.map(csvCell).join(",")];
  chart.categories.forEach((category, i) => {
    const cells = [category, ...(chart.categoryDetails ? [chart.categoryDetails[i] ?? ""] : [])];
    for (const s of chart.series) {
      const v = s.values[i];
      cells.push(
        v === null || v === undefined
          ? ""
          : s.unit === "duration"
            ? String(Math.round(v) / 1000)
            : String(roundFigure(v)),
      );
    }
    lines.push(cells.map(csvCell).join(","));
  });
  return `${lines.join("\r\n")}\r\n`;
}

/** Figures kept to four decimals (ratios), integers as they are. */
export function roundFigure(v: number): number {
  return Number.isInteger(v) ? v : Math.round(v * 10_000) / 10_000;
}
