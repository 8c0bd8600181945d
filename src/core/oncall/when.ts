import { inputInvalid } from "../errors.js";
import { parseDuration } from "../duration.js";
import {
  WALL_DAY_MS,
  dateOfWall,
  fromWall,
  isRealDate,
  isoWeekdayOfWall,
  startOfWallDay,
  toWall,
  wallOf,
  type LocalDate,
  type LocalTime,
} from "./zoned-time.js";

/** Which local day a {@link WhenSpec} of kind `local` means. */
export type LocalDay =
  | { kind: "date"; date: LocalDate }
  | { kind: "today" }
  | { kind: "tomorrow" }
  /** The next such ISO weekday (1 = Monday) at the time given, today included if still ahead. */
  | { kind: "weekday"; weekday: number }
  /** A bare time: its next occurrence, today if still ahead, else tomorrow. */
  | { kind: "next" };

/**
 * A moment as a person wrote it, read but not yet placed on the calendar (that needs
 * `now` and a zone: see {@link resolveWhen}).
 */
export type WhenSpec =
  | { kind: "now" }
  | { kind: "relative"; ms: number }
  | { kind: "instant"; at: Date }
  | { kind: "local"; day: LocalDay; time: LocalTime };

/** How to write a time, for error messages and help. */
export const WHEN_HELP =
  'like "18:00", "9pm", "tomorrow 09:00", "mon 08:30", "2026-11-22 14:00", "+3h" or 2026-11-22T14:00Z';

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** ISO weekday (1 = Monday) for `monday` or `mon`, else undefined. */
function weekdayOf(word: string): number | undefined {
  const index = WEEKDAYS.findIndex((name) => word === name || word === name.slice(0, 3));
  return index === -1 ? undefined : index + 1;
}

function parseTime(text: string): LocalTime | undefined {
  const h24 = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (h24) {
    const hour = Number(h24[1]);
    const minute = Number(h24[2]);
    return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
  }
  const h12 = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)$/.exec(text);
  if (h12) {
    const hour = Number(h12[1]);
    const minute = Number(h12[2] ?? "0");
    if (hour < 1 || hour > 12 || minute > 59) return undefined;
    return { hour: (hour % 12) + (h12[3] === "pm" ? 12 : 0), minute };
  }
  return undefined;
}

function parseDate(text: string): LocalDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return isRealDate(date) ? date : undefined;
}

function cannotRead(text: string): Error {
  return inputInvalid(`Can't read "${text}" as a time: write it ${WHEN_HELP}.`);
}

/**
 * Reads a moment as people type it in Slack: `now`, `+3h` / `in 90m`, a bare time
 * (`18:00`, `9pm`: its next occurrence), `today|tomorrow|<weekday> [at] <time>`,
 * `YYYY-MM-DD [HH:MM]` (local to the zone given later) or an ISO time with `Z` or an offset.
 */
export function parseWhenSpec(text: string): WhenSpec {
  const input = text.trim().toLowerCase().replace(/\s+/g, " ");
  if (input === "") throw inputInvalid(`A time is missing: write it ${WHEN_HELP}.`);
  if (input === "now") return { kind: "now" };

  const relative = /^(?:\+|in )\s*(.+)$/.exec(input);
  if (relative) {
    try {
      return { kind: "relative", ms: parseDuration(relative[1] ?? "") };
    } catch {
      throw cannotRead(text.trim());
    }
  }

  if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})$/.test(input)) {
    const at = new Date(input.toUpperCase());
    if (Number.isNaN(at.getTime()) || !parseDate(input.slice(0, 10))) throw cannotRead(text.trim());
    return { kind: "instant", at };
  }

  const dated = /^(\d{4}-\d{2}-\d{2})(?:[ t](\d{1,2}:\d{2})(?::00)?)?$/.exec(input);
  if (dated) {
    const date = parseDate(dated[1] ?? "");
    const time = dated[2] === undefined ? { hour: 0, minute: 0 } : parseTime(dated[2]);
    if (!date || !time) throw cannotRead(text.trim());
    return { kind: "local", day: { kind: "date", date }, time };
  }

  const words = /^([a-z]+)(?: at)? (.+)$/.exec(input);
  if (words) {
    const [, dayWord = "", timeText = ""] = words;
    const time = parseTime(timeText);
    const weekday = weekdayOf(dayWord);
    const day: LocalDay | undefined =
      dayWord === "today"
        ? { kind: "today" }
        : dayWord === "tomorrow"
          ? { kind: "tomorrow" }
          : weekday === undefined
            ? undefined
            : { kind: "weekday", weekday };
    if (day && time) return { kind: "local", day, time };
    throw cannotRead(text.trim());
  }

  const time = parseTime(input);
  if (time) return { kind: "local", day: { kind: "next" }, time };
  if (input === "today" || input === "tomorrow" || weekdayOf(input) !== undefined) {
    throw inputInvalid(`Say what time ${input}, like "${input} 09:00".`);
  }
  throw cannotRead(text.trim());
}

/** Places a {@link WhenSpec} on the calendar; local times are read in `zone`. */
export function resolveWhen(spec: WhenSpec, now: Date, zone: string): Date {
  switch (spec.kind) {
    case "now":
      return new Date(now.getTime());
    case "relative":
      return new Date(now.getTime() + spec.ms);
    case "instant":
      return new Date(spec.at.getTime());
    case "local": {
      const time = wallOf({ year: 1970, month: 1, day: 1 }, spec.time);
      const today = startOfWallDay(toWall(now, zone));
      const at = (day: number) => fromWall(day + time, zone);
      switch (spec.day.kind) {
        case "date":
          return fromWall(wallOf(spec.day.date, spec.time), zone);
        case "today":
          return at(today);
        case "tomorrow":
          return at(today + WALL_DAY_MS);
        case "next":
          return at(today) >= now ? at(today) : at(today + WALL_DAY_MS);
        case "weekday": {
          const ahead = (spec.day.weekday - isoWeekdayOfWall(today) + 7) % 7;
          const candidate = at(today + ahead * WALL_DAY_MS);
          return candidate >= now ? candidate : at(today + (ahead + 7) * WALL_DAY_MS);
        }
      }
    }
  }
}

/**
 * Reads a moment (see {@link parseWhenSpec}) and places it on the calendar, local times
 * in `zone`. A local time skipped by a daylight-saving jump means the moment of the jump;
 * one that happens twice means its first occurrence.
 */
export function parseWhen(text: string, now: Date, zone: string): Date {
  return resolveWhen(parseWhenSpec(text), now, zone);
}

/**
 * Reads a moment that needs no `now`: `YYYY-MM-DD [HH:MM]` in `zone`, or ISO with an
 * offset. For config, where "tomorrow" would mean a different day on every restart.
 */
export function parseAbsoluteWhen(text: string, zone: string): Date {
  const spec = (() => {
    try {
      return parseWhenSpec(text);
    } catch {
      return undefined;
    }
  })();
  if (spec?.kind === "instant" || (spec?.kind === "local" && spec.day.kind === "date")) {
    // `now` plays no part in absolute forms.
    return resolveWhen(spec, new Date(0), zone);
  }
  throw inputInvalid(
    `"${text}" is not a date and time: write it like "2026-12-24 18:00" (local to ${zone}) or as ISO with an offset.`,
  );
}

/** The local calendar date in `zone` at `instant` (for listings and messages). */
export function localDateAt(instant: Date, zone: string): LocalDate {
  return dateOfWall(toWall(instant, zone));
}
