import { SEVERITIES, parseSeverity } from "../incident/severity.js";
import type { Severity } from "../incident/severity.js";
import {
  dateOfWall,
  fromWall,
  isRealDate,
  isoWeekdayOfWall,
  startOfWallDay,
  toWall,
  wallOf,
} from "../oncall/zoned-time.js";
import type { LocalDate } from "../oncall/zoned-time.js";

/** Where an incident came from, as the insights filter names it. */
export type IncidentOrigin = "manual" | "alert";
export const ORIGINS: readonly IncidentOrigin[] = ["manual", "alert"];

/** Incidents declared by a person carry this source; every other source is an alert of some kind. */
export const MANUAL_SOURCE = "slack";

/** Which incidents the insights look at: a time range (local days, inclusive) and optional filters. */
export interface InsightsFilter {
  /** The first instant of the range (local midnight of `fromDay`). */
  from: Date;
  /** The first instant after the range (local midnight after `toDay`). */
  to: Date;
  fromDay: string;
  toDay: string;
  timeZone: string;
  /** Empty: every severity. */
  severities: Severity[];
  origin?: IncidentOrigin;
  service?: string;
}

/** A query string that could not be read: the field and what to do. */
export interface FilterProblem {
  field: string;
  message: string;
}

export const DEFAULT_WEEKS = 12;
/** The longest range one page aggregates: two years of weeks keeps every chart readable. */
export const MAX_RANGE_DAYS = 731;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, "0");
export const formatLocalDate = (d: LocalDate) => `${d.year}-${pad(d.month)}-${pad(d.day)}`;

/** `YYYY-MM-DD` as a real calendar date, or undefined. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isRealDate(date) ? date : undefined;
}

/** The Monday (local) of the week holding `instant`, as a wall time. */
export function mondayOf(instant: Date, timeZone: string): number {
  const day = startOfWallDay(toWall(instant, timeZone));
  return day - (isoWeekdayOfWall(day) - 1) * DAY_MS;
}

/** The default range: the current week and the eleven before it. */
export function defaultRange(
  now: Date,
  timeZone: string,
  weeks = DEFAULT_WEEKS,
): { fromDay: string; toDay: string } {
  const monday = mondayOf(now, timeZone);
  return {
    fromDay: formatLocalDate(dateOfWall(monday - (weeks - 1) * 7 * DAY_MS)),
    toDay: formatLocalDate(dateOfWall(monday + 6 * DAY_MS)),
  };
}

const one = (v: string | string[] | undefined): string | undefined => {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === "" ? undefined : s.trim();
};
const many = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Reads `/insights?from=&to=&severity=&source=&service=`. Every field is optional: the
 * range defaults to the last twelve weeks in `timeZone`. Services can be filtered on only
 * when some exist.
 */
export function parseInsightsQuery(
  query: Readonly<Record<string, string | string[] | undefined>>,
  opts: { now: Date; timeZone: string; services?: readonly string[] },
): { ok: true; filter: InsightsFilter } | { ok: false; problem: FilterProblem } {
  const fail = (field: string, message: string) => ({ ok: false as const, problem: { field, message } });
  const fallback = defaultRange(opts.now, opts.timeZone);
  const dates: Record<"from" | "to", LocalDate> = {} as Record<"from" | "to", LocalDate>;
  for (const field of ["from", "to"] as const) {
    const text = one(query[field]) ?? (field === "from" ? fallback.fromDay : fallback.toDay);
    const date = parseLocalDate(text);
    if (!date) return fail(field, `"${text}" is not a date: use YYYY-MM-DD, e.g. ${fallback.fromDay}.`);
    dates[field] = date;
  }
  const fromWallMs = wallOf(dates.from);
  const toWallMs = wallOf(dates.to) + DAY_MS;
  if (toWallMs <= fromWallMs)
    return fail(
      "to",
      `"to" (${formatLocalDate(dates.to)}) is before "from" (${formatLocalDate(dates.from)}): swap them.`,
    );
  if ((toWallMs - fromWallMs) / DAY_MS > MAX_RANGE_DAYS)
    return fail("from", `The range spans more than ${MAX_RANGE_DAYS} days: narrow it (at most two years).`);
  const severities: Severity[] = [];
  for (const s of many(query.severity)) {
    const sev = parseSeverity(s);
    if (!sev) return fail("severity", `"${s}" is not a severity: use one of ${SEVERITIES.join(", ")}.`);
    if (!severities.includes(sev)) severities.push(sev);
  }
  const originText = one(query.source);
  if (originText !== undefined && !ORIGINS.includes(originText as IncidentOrigin))
    return fail("source", `"${originText}" is not a source: use manual (declared by people) or alert.`);
  const service = one(query.service);
  if (service !== undefined) {
    const known = opts.services ?? [];
    if (!known.length)
      return fail(
        "service",
        "No services are configured, so there is nothing to filter by: remove service=.",
      );
    if (!known.includes(service))
      return fail("service", `There is no service "${service}": use one of ${known.join(", ")}.`);
  }
  return {
    ok: true,
    filter: {
      from: fromWall(fromWallMs, opts.timeZone),
      to: fromWall(toWallMs, opts.timeZone),
      fromDay: formatLocalDate(dates.from),
      toDay: formatLocalDate(dates.to),
      timeZone: opts.timeZone,
      severities: SEVERITIES.filter((s) => severities.includes(s)),
      ...(originText ? { origin: originText as IncidentOrigin } : {}),
      ...(service ? { service } : {}),
    },
  };
}

/** The filter as a query string (for CSV links, and for keeping the filter across pages). */
export function filterQuery(f: InsightsFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams({ from: f.fromDay, to: f.toDay });
  if (f.severities.length) p.set("severity", f.severities.join(","));
  if (f.origin) p.set("source", f.origin);
  if (f.service) p.set("service", f.service);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}

/** The Mondays (YYYY-MM-DD, local) of every week the range touches, in order. */
export function weeksOf(f: Pick<InsightsFilter, "from" | "to" | "timeZone">): string[] {
  const weeks: string[] = [];
  const last = toWall(new Date(f.to.getTime() - 1), f.timeZone);
  for (let w = mondayOf(f.from, f.timeZone); w <= last; w += 7 * DAY_MS)
    weeks.push(formatLocalDate(dateOfWall(w)));
  return weeks;
}
