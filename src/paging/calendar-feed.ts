import { calendarEvents } from "../core/oncall/person-shifts.js";
import type { CalendarEvent } from "../core/oncall/person-shifts.js";
import { signCalendarToken, verifyCalendarToken } from "../core/notify/signed-tokens.js";
import type { CalendarSubject } from "../core/notify/signed-tokens.js";
import { getSigningKey } from "../store/links/signing-keys.js";
import { currentOverrides } from "../store/oncall/overrides.js";
import type { PagingContext } from "./context.js";

const DAY = 86_400_000;
/** How much a feed shows: the last month (for the record) and the next six. */
const PAST_MS = 31 * DAY;
const AHEAD_MS = 183 * DAY;

/** A calendar feed: its name and shifts. */
export interface CalendarFeedContent {
  name: string;
  events: CalendarEvent[];
}

/** The signed feed URL for a person or a schedule (`/calendar/<token>.ics`), or null without FIREBREAK_PUBLIC_URL. */
export async function calendarUrl(
  ctx: Pick<PagingContext, "pool" | "settings">,
  subject: CalendarSubject,
): Promise<string | null> {
  if (!ctx.settings.publicUrl) return null;
  return `${ctx.settings.publicUrl}/calendar/${signCalendarToken(await getSigningKey(ctx.pool), subject)}.ics`;
}

/**
 * The shifts a signed calendar token names, from a month ago to six months ahead, with the
 * overrides made in Slack; null when the token is not Firebreak's or names no schedule.
 */
export async function calendarFeed(
  ctx: Pick<PagingContext, "pool" | "config">,
  token: string,
  now: Date,
): Promise<CalendarFeedContent | null> {
  const subject = verifyCalendarToken(await getSigningKey(ctx.pool), token);
  if (!subject) return null;
  const { schedules } = ctx.config.paging;
  if (subject.kind === "schedule" && !schedules[subject.schedule]) return null;
  const from = new Date(now.getTime() - PAST_MS);
  const overrides = await currentOverrides(ctx.pool, from);
  const nameOf = (userId: string) => ctx.config.people[userId]?.name ?? userId;
  const feed =
    subject.kind === "person"
      ? { kind: "person" as const, userId: subject.userId }
      : { kind: "schedule" as const, schedule: subject.schedule };
  return {
    name: subject.kind === "person" ? `On call: ${nameOf(subject.userId)}` : `On call: ${subject.schedule}`,
    events: calendarEvents(feed, schedules, overrides, from, new Date(now.getTime() + AHEAD_MS), nameOf),
  };
}
