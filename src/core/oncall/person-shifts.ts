import { shiftsBetween } from "./shifts-between.js";
import type { Override, Schedule } from "./types.js";
import { formatInTimeZone } from "../time-format.js";

/** One person's unbroken stretch on call in one schedule. */
export interface PersonShift {
  schedule: string;
  userId: string;
  start: Date;
  end: Date;
}

/**
 * Each person's stretches on call in `schedule` that overlap [from, to): consecutive
 * segments that keep someone on call (a layer handing to an override of the same person)
 * are one stretch, so a handoff is announced once and a calendar shows one event.
 */
export function personShifts(
  schedule: Schedule,
  from: Date,
  to: Date,
  overrides: readonly Override[] = [],
): PersonShift[] {
  const open = new Map<string, PersonShift>();
  const out: PersonShift[] = [];
  for (const seg of shiftsBetween(schedule, from, to, overrides)) {
    for (const [userId, shift] of open) {
      if (!seg.users.includes(userId) || shift.end.getTime() !== seg.shiftStart.getTime()) {
        out.push(shift);
        open.delete(userId);
      }
    }
    for (const userId of seg.users) {
      const shift = open.get(userId);
      if (shift) shift.end = seg.shiftEnd;
      else open.set(userId, { schedule: schedule.name, userId, start: seg.shiftStart, end: seg.shiftEnd });
    }
  }
  out.push(...open.values());
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.userId.localeCompare(b.userId));
}

/** An event of an iCal feed. `uid` stays the same for the same shift across fetches. */
export interface CalendarEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  timeZone: string;
}

/** Who a feed is for: one person across every schedule, or one schedule with everyone. */
export type CalendarFeed =
  { kind: "person"; userId: string; name?: string } | { kind: "schedule"; schedule: string };

/**
 * The events of a calendar feed over [from, to): each shift as one event named for the
 * schedule (a person's feed) or for the person (a schedule's feed), in the schedule's zone.
 */
export function calendarEvents(
  feed: CalendarFeed,
  schedules: Readonly<Record<string, Schedule>>,
  overrides: Readonly<Record<string, readonly Override[]>>,
  from: Date,
  to: Date,
  nameOf: (userId: string) => string,
): CalendarEvent[] {
  const list =
    feed.kind === "person"
      ? Object.values(schedules)
      : [schedules[feed.schedule]].filter((s): s is Schedule => s !== undefined);
  const events: CalendarEvent[] = [];
  for (const schedule of list) {
    for (const shift of personShifts(schedule, from, to, overrides[schedule.name] ?? [])) {
      if (feed.kind === "person" && shift.userId !== feed.userId) continue;
      events.push({
        uid: `${schedule.name}-${shift.userId}-${shift.start.getTime()}@firebreak`,
        start: shift.start,
        end: shift.end,
        summary:
          feed.kind === "person"
            ? `On call: ${schedule.name}`
            : `${nameOf(shift.userId)} on call (${schedule.name})`,
        description: `${nameOf(shift.userId)} is on call for ${schedule.name} (Firebreak).`,
        timeZone: schedule.timeZone,
      });
    }
  }
  return events.sort((a, b) => a.start.getTime() - b.start.getTime());
}

const LOOK_BACK_MS = 8 * 86_400_000;

/** A shift about to start: its person gets a DM before it. */
export interface HandoffNotice extends PersonShift {
  timeZone: string;
}

/**
 * Shifts starting in (now − lead, now + lead]: announced ahead by `lead`, and still when a
 * worker that was down comes back shortly after the start. The caller sends each once (a
 * unique key per schedule, person and start).
 */
export function dueHandoffs(
  schedules: Readonly<Record<string, Schedule>>,
  overrides: Readonly<Record<string, readonly Override[]>>,
  now: Date,
  leadMs: number,
): HandoffNotice[] {
  const lo = now.getTime() - leadMs;
  const hi = now.getTime() + leadMs;
  const out: HandoffNotice[] = [];
  for (const schedule of Object.values(schedules)) {
    // From well before: a stretch that began earlier (a layer handing over to an override
    // of the same person) must not look like a new start.
    const shifts = personShifts(
      schedule,
      new Date(lo - LOOK_BACK_MS),
      new Date(hi + 1),
      overrides[schedule.name] ?? [],
    );
    for (const s of shifts) {
      const t = s.start.getTime();
      if (t > lo && t <= hi) out.push({ ...s, timeZone: schedule.timeZone });
    }
  }
  return out;
}

/** "You are on call for primary from 09:00 Europe/Berlin until Mon 09:00", in `zone`. */
export function handoffText(notice: PersonShift, zone: string, now: Date): string {
  const sameDay =
    formatInTimeZone(notice.start, zone, "yyyy-MM-dd") === formatInTimeZone(now, zone, "yyyy-MM-dd");
  const from = formatInTimeZone(notice.start, zone, sameDay ? "HH:mm" : "EEE HH:mm");
  const until = formatInTimeZone(notice.end, zone, "EEE HH:mm");
  return `You are on call for ${notice.schedule} from ${from} ${zone} until ${until}`;
}
