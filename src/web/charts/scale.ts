import type { Series, Unit } from "../../core/insights/chart.js";
import { humanDuration } from "../../core/duration.js";

/** A value as a reader sees it: "4m", "12", "83%". */
export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined) return "—";
  if (unit === "duration") return humanDuration(v);
  if (unit === "ratio") return `${Math.round(v * 1000) / 10}%`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

const DURATION_STEPS = [
  1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
].map((s) => s * 1000);

/**
 * Axis ticks from 0 to at least `max`, about `count` of them, at round steps (1-2-5 for
 * counts; minutes, hours and days for durations).
 */
export function niceTicks(max: number, unit: Unit, count = 4): number[] {
  const top = max > 0 ? max : unit === "duration" ? 60_000 : 1;
  const raw = top / count;
  let step: number;
  if (unit === "duration")
    step = DURATION_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 604_800_000) * 604_800_000;
  else {
    const mag = 10 ** Math.floor(Math.log10(raw));
    step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    if (unit === "count") step = Math.max(1, Math.round(step));
  }
  const ticks: number[] = [];
  for (let t = 0; t < top + step * 0.999 && ticks.length < 12; t += step) ticks.push(t);
  if (ticks.at(-1)! < top) ticks.push(ticks.at(-1)! + step);
  return ticks;
}

/** The largest value among the drawn series (stacked: the tallest stack). */
export function maxOf(series: readonly Series[], stacked: boolean): number {
  const drawn = series.filter((s) => !s.tableOnly);
  if (!drawn.length) return 0;
  const n = Math.max(...drawn.map((s) => s.values.length));
  let max = 0;
  for (let i = 0; i < n; i++) {
    const vals = drawn.map((s) => s.values[i] ?? 0);
    max = Math.max(max, stacked ? vals.reduce((a, b) => a + b, 0) : Math.max(...vals));
  }
  return max;
}

const PALETTE: Readonly<Record<string, string>> = {
  P0: "#b5271b",
  P1: "#d2691e",
  P2: "#c9a400",
  P3: "#5a6fa8",
  pages: "#4a154b",
  night: "#1f6feb",
  fired: "#d2691e",
  own: "#2da44e",
  runs: "#4a154b",
  succeeded: "#2da44e",
};
const FALLBACK = ["#4a154b", "#1f6feb", "#2da44e", "#d2691e", "#8250df", "#57606a"];

/** The colour of a series: its group's (a severity), else one of a fixed palette. */
export function colourOf(s: Series, index: number): string {
  return PALETTE[s.group ?? s.key] ?? FALLBACK[index % FALLBACK.length]!;
}

/** "2026-03-02" → "Mar 2". */
export function shortDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${months[Number(m[2]) - 1]} ${Number(m[3])}`;
}

/** Numbers in SVG attributes: two decimals at most. */
export const px = (n: number) => String(Math.round(n * 100) / 100);
