import { formatDuration } from "../duration.js";
import { inputInvalid } from "../errors.js";
import type { OverrideWindowSpec } from "./parse-oncall-command.js";
import { resolveWhen } from "./when.js";

/** Overrides made in Slack last at most this long; longer cover belongs in the rotation. */
export const MAX_OVERRIDE_MS = 31 * 24 * 3_600_000;

/**
 * When an override asked for in Slack starts and ends: from `now`, for a duration or until
 * a moment read in the schedule's `zone`. Refuses an end that is not in the future or is
 * more than {@link MAX_OVERRIDE_MS} away.
 */
export function resolveOverrideWindow(
  window: OverrideWindowSpec,
  now: Date,
  zone: string,
): { from: Date; to: Date } {
  const to =
    window.kind === "for" ? new Date(now.getTime() + window.ms) : resolveWhen(window.when, now, zone);
  const length = to.getTime() - now.getTime();
  if (length <= 0)
    throw inputInvalid("That time has already passed: give an end in the future, like `until 18:00`.");
  if (length > MAX_OVERRIDE_MS) {
    throw inputInvalid(
      `An override can last at most ${formatDuration(MAX_OVERRIDE_MS)} (this one: ${formatDuration(length)}): for longer cover, change the rotation in firebreak.yaml.`,
    );
  }
  return { from: new Date(now.getTime()), to };
}
