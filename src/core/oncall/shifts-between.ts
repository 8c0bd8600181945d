import { inputInvalid } from "../errors.js";
import { TIMELINE_HORIZON_MS, scheduleTimeline } from "./schedule-timeline.js";
import type { OnCall, Override, Schedule } from "./types.js";

/**
 * The on-call stretches of `schedule` that overlap [from, to), in order and without gaps
 * (a stretch nobody covers has `source: "none"`). Each is what {@link whoIsOnCall} would
 * answer inside it, so the first may begin before `from` and the last end after `to`.
 * Spans longer than about a year are refused.
 */
export function shiftsBetween(
  schedule: Schedule,
  from: Date,
  to: Date,
  overrides: readonly Override[] = [],
): OnCall[] {
  const start = from.getTime();
  const end = to.getTime();
  if (!(start < end)) throw inputInvalid("The end of the listing must come after its start.");
  if (end - start > TIMELINE_HORIZON_MS) throw inputInvalid("List at most about a year of shifts at a time.");
  return scheduleTimeline(schedule, start, end, overrides);
}
