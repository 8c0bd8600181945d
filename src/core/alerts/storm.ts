import { inputInvalid } from "../errors.js";

/** `open`: open a channel for the new group; `storm`: too many already this minute. */
export type StormDecision = "open" | "storm";

const WINDOW_MS = 60_000;

/**
 * Decides whether a new alert group may open its own incident channel. `recentNewGroupTimes`
 * are when the groups before it opened channels (any order, older entries are ignored);
 * with `thresholdPerMinute` already opened in the 60 seconds up to `now`, the new group is
 * part of a storm and should be folded into one storm incident instead.
 *
 * Times after `now` (another replica's clock running ahead) count as recent, so clock skew
 * errs towards fewer channels.
 */
export function stormDecision(
  recentNewGroupTimes: readonly Date[],
  now: Date,
  thresholdPerMinute: number,
): StormDecision {
  if (!Number.isInteger(thresholdPerMinute) || thresholdPerMinute < 1) {
    throw inputInvalid(
      `storm threshold must be a whole number of groups per minute (got ${thresholdPerMinute}).`,
    );
  }
  const since = now.getTime() - WINDOW_MS;
  let recent = 0;
  for (const t of recentNewGroupTimes) if (t.getTime() > since) recent += 1;
  return recent >= thresholdPerMinute ? "storm" : "open";
}
