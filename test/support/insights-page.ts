import type { SeedIncident } from "./insights-history.js";
import { declaredAt } from "./insights-history.js";

/** The HTML of one chart's card on /insights. */
export function chartSection(html: string, id: string): string {
  const start = html.indexOf(`id="chart-${id}"`);
  if (start < 0) throw new Error(`no chart ${id} on the page`);
  return html.slice(start, html.indexOf("</section>", start));
}

/** The figures drawn in a chart's SVG: series → category → value (from the marks' data attributes). */
export function drawnFigures(html: string, id: string): Map<string, Map<string, number>> {
  const section = chartSection(html, id);
  const svg = section.slice(section.indexOf("<svg"), section.indexOf("</svg>"));
  const out = new Map<string, Map<string, number>>();
  for (const m of svg.matchAll(/data-series="([^"]*)"\s+data-category="([^"]*)"\s+data-value="([^"]*)"/g)) {
    const [, series, category, value] = m as unknown as [string, string, string, string];
    if (!out.has(series)) out.set(series, new Map());
    out.get(series)!.set(unescape(category), Number(value));
  }
  return out;
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The hour of the day at `at` on a wall clock in `zone` (Intl, independent of Firebreak's code). */
export function hourIn(at: Date, zone: string): number {
  return Number(
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "numeric", hourCycle: "h23" }).format(at),
  );
}

/** Pages per person in a seeded history, and those between 22:00 and 07:00 on each one's clock. */
export function expectedPageLoad(
  now: Date,
  history: readonly SeedIncident[],
  zones: Readonly<Record<string, string>>,
): Map<string, { pages: number; night: number }> {
  const load = new Map<string, { pages: number; night: number }>();
  for (const i of history)
    for (const p of i.pages ?? []) {
      const at = new Date(declaredAt(now, i).getTime() + p.afterMin * 60_000);
      const hour = hourIn(at, zones[p.user] ?? "UTC");
      const entry = load.get(p.user) ?? { pages: 0, night: 0 };
      entry.pages++;
      if (hour >= 22 || hour < 7) entry.night++;
      load.set(p.user, entry);
    }
  return load;
}

/** The median of a list, as a statistician writes it (the mean of the middle two when even). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
