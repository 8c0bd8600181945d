import { tzOffset } from "@date-fns/tz";
import { FirebreakError } from "../errors.js";

/**
 * A local ("wall clock") date and time in some zone, encoded as milliseconds on a
 * floating timeline where every day is exactly 24 hours: `Date.UTC(y, m - 1, d, h, min)`.
 * Rotation arithmetic happens on this timeline so that a 09:00 handoff stays at 09:00
 * local whatever the daylight-saving rules do; only the final step maps it to an instant.
 */
export type WallTime = number;

/** A calendar date as written in config: month 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A time of day on the wall clock; `hour` may be 24 (with minute 0) to mean end of day. */
export interface LocalTime {
  hour: number;
  minute: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Offsets by zone and minute: a rotation asks for the same shift boundaries on every page. */
const offsets = new Map<string, number>();
const MAX_OFFSETS = 20_000;

function offsetMs(zone: string, instant: number): number {
  // Offsets change on whole minutes, so one answer holds for the whole minute.
  const key = `${zone} ${Math.floor(instant / MINUTE)}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const offset = computeOffsetMs(zone, instant);
  if (offsets.size >= MAX_OFFSETS) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

function computeOffsetMs(zone: string, instant: number): number {
  const minutes = tzOffset(zone, new Date(instant));
  if (Number.isNaN(minutes)) {
    throw new FirebreakError(
      "config_invalid",
      `"${zone}" is not a time zone: use an IANA name like Europe/Berlin.`,
    );
  }
  return minutes * MINUTE;
}

/** What the wall clock in `zone` shows at `instant`. */
export function toWall(instant: Date | number, zone: string): WallTime {
  const t = typeof instant === "number" ? instant : instant.getTime();
  return t + offsetMs(zone, t);
}

/**
 * The instant at which the wall clock in `zone` first reads `wall` or later.
 *
 * That one rule settles both daylight-saving edge cases the same way:
 * - a local time that does not exist (02:30 on a spring-forward night in New York) maps to
 *   the moment the clock jumps past it (03:00 EDT), so a handoff is never skipped;
 * - a local time that happens twice (01:30 on a fall-back night) maps to its first
 *   occurrence, so a handoff never happens twice.
 * The result is monotonic in `wall`, which keeps shifts in order and never negative.
 */
export function fromWall(wall: WallTime, zone: string): Date {
  const offsets = new Set([offsetMs(zone, wall - DAY), offsetMs(zone, wall), offsetMs(zone, wall + DAY)]);
  let earliest: number | undefined;
  for (const offset of offsets) {
    const candidate = wall - offset;
    if (offsetMs(zone, candidate) === offset && (earliest === undefined || candidate < earliest)) {
      earliest = candidate;
    }
  }
  if (earliest !== undefined) return new Date(earliest);

  // In a gap: search the transition between the two candidate offsets.
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (toWall(mid, zone) >= wall) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** The wall time at the start of `date` plus `time`. */
export function wallOf(date: LocalDate, time: LocalTime = { hour: 0, minute: 0 }): WallTime {
  return Date.UTC(date.year, date.month - 1, date.day) + time.hour * 60 * MINUTE + time.minute * MINUTE;
}

/** The calendar date a wall time falls on. */
export function dateOfWall(wall: WallTime): LocalDate {
  const d = new Date(wall);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Midnight at the start of the wall day containing `wall`. */
export function startOfWallDay(wall: WallTime): WallTime {
  return Math.floor(wall / DAY) * DAY;
}

/** ISO weekday of a wall time: 1 = Monday … 7 = Sunday. */
export function isoWeekdayOfWall(wall: WallTime): number {
  const day = new Date(wall).getUTCDay();
  return day === 0 ? 7 : day;
}

/** True when `date` names a real calendar day (no 2026-02-30). */
export function isRealDate(date: LocalDate): boolean {
  const back = dateOfWall(wallOf(date));
  return back.year === date.year && back.month === date.month && back.day === date.day;
}

/**
 * The canonical spelling of an IANA zone name (`europe/berlin` → `Europe/Berlin`), or
 * undefined when the runtime does not know it. Fixed offsets like `+01:00` are refused:
 * they have no daylight-saving rules, which is rarely what a rotation means.
 */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!/^[A-Za-z]/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export const WALL_DAY_MS = DAY;
