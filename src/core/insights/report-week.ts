import {
  dateOfWall,
  fromWall,
  isoWeekdayOfWall,
  startOfWallDay,
  toWall,
  wallOf,
} from "../oncall/zoned-time.js";
import { formatLocalDate, mondayOf, parseLocalDate } from "./filter.js";

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** When the weekly report goes out: an ISO weekday (1 = Monday) and a time, in a zone. */
export interface ReportSchedule {
  weekday: number;
  hour: number;
  minute: number;
  timeZone: string;
}

/** A week of the report: Monday to Sunday in the config's zone, as days and as instants. */
export interface ReportWeek {
  /** Monday, YYYY-MM-DD. */
  start: string;
  /** Sunday, YYYY-MM-DD. */
  end: string;
  from: Date;
  to: Date;
}

/** The week starting on the Monday `start` (YYYY-MM-DD) in `timeZone`. */
export function reportWeek(start: string, timeZone: string): ReportWeek {
  const d = parseLocalDate(start);
  if (!d) throw new Error(`not a date: ${start}`);
  const monday = wallOf(d);
  return {
    start,
    end: formatLocalDate(dateOfWall(monday + 6 * DAY_MS)),
    from: fromWall(monday, timeZone),
    to: fromWall(monday + WEEK_MS, timeZone),
  };
}

/** The week before `week`. */
export const previousWeek = (week: ReportWeek, timeZone: string): ReportWeek =>
  reportWeek(formatLocalDate(dateOfWall(wallOf(parseLocalDate(week.start)!) - WEEK_MS)), timeZone);

/**
 * The report due at `now`: the last scheduled moment at or before `now`, and the week it
 * reports on (the whole Monday-to-Sunday week before the one that moment falls in).
 */
export function dueReport(now: Date, s: ReportSchedule): { week: ReportWeek; dueAt: Date } {
  const nowWall = toWall(now, s.timeZone);
  const monday = startOfWallDay(nowWall) - (isoWeekdayOfWall(startOfWallDay(nowWall)) - 1) * DAY_MS;
  let slot = monday + (s.weekday - 1) * DAY_MS + (s.hour * 60 + s.minute) * 60_000;
  if (slot > nowWall) slot -= WEEK_MS;
  const slotMonday = startOfWallDay(slot) - (isoWeekdayOfWall(startOfWallDay(slot)) - 1) * DAY_MS;
  return {
    week: reportWeek(formatLocalDate(dateOfWall(slotMonday - WEEK_MS)), s.timeZone),
    dueAt: fromWall(slot, s.timeZone),
  };
}

/** A worker that was down at the scheduled time still sends the report within this long; later, the week is skipped. */
export const REPORT_CATCH_UP_MS = DAY_MS;

/**
 * Which week `/incident report [week]` means: nothing or `last` (the last complete week),
 * `this` (the week so far), any day of a week (`2026-03-11`) or an ISO week (`2026-W11`).
 */
export function parseReportWeek(
  text: string | undefined,
  now: Date,
  timeZone: string,
): { ok: true; week: ReportWeek } | { ok: false; message: string } {
  const t = (text ?? "").trim().toLowerCase();
  const thisMonday = mondayOf(now, timeZone);
  const week = (mondayWall: number) => {
    const w = reportWeek(formatLocalDate(dateOfWall(mondayWall)), timeZone);
    return w.from.getTime() > now.getTime()
      ? {
          ok: false as const,
          message: `The week of ${w.start} has not started yet: ask for \`this\` week or an earlier one.`,
        }
      : { ok: true as const, week: w };
  };
  if (t === "" || t === "last") return week(thisMonday - WEEK_MS);
  if (t === "this") return week(thisMonday);
  const iso = /^(\d{4})-?w(\d{1,2})$/.exec(t);
  if (iso) {
    const year = Number(iso[1]);
    const n = Number(iso[2]);
    // ISO week 1 holds January 4th.
    const jan4 = wallOf({ year, month: 1, day: 4 });
    const monday = jan4 - (isoWeekdayOfWall(jan4) - 1) * DAY_MS + (n - 1) * WEEK_MS;
    const last = wallOf({ year, month: 12, day: 28 });
    const weeks =
      (last - (isoWeekdayOfWall(last) - 1) * DAY_MS - (jan4 - (isoWeekdayOfWall(jan4) - 1) * DAY_MS)) /
        WEEK_MS +
      1;
    if (n < 1 || n > weeks)
      return {
        ok: false,
        message: `${year} has weeks 1 to ${weeks}: e.g. \`/incident report ${year}-W${String(Math.min(n, weeks) || 1).padStart(2, "0")}\`.`,
      };
    return week(monday);
  }
  const date = parseLocalDate(t);
  if (date) {
    const day = wallOf(date);
    return week(day - (isoWeekdayOfWall(day) - 1) * DAY_MS);
  }
  return {
    ok: false,
    message: `"${text}" is not a week: use \`last\` (the default), \`this\`, a day of the week (2026-03-11) or an ISO week (2026-W11).`,
  };
}
