import { FirebreakError } from "../errors.js";
import { scheduleTimeline } from "./schedule-timeline.js";
import type { OnCall, Override, Schedule } from "./types.js";

/**
 * Who is on call for `schedule` at `at`, in the schedule's own zone: the latest override
 * covering `at`, else the highest layer with someone on shift, else nobody.
 * `overrides` are the ones made at run time for this schedule, oldest first; those in
 * the schedule's config apply too and lose to these where they overlap.
 */
export function whoIsOnCall(schedule: Schedule, at: Date, overrides: readonly Override[] = []): OnCall {
  const t = at.getTime();
  const [current] = scheduleTimeline(schedule, t, t + 1, overrides);
  if (!current)
    throw new FirebreakError("internal", `No on-call answer for ${schedule.name} at ${at.toISOString()}.`);
  return current;
}
