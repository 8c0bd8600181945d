import type { PolicySnapshot } from "./types.js";

/** A place on an escalation path: step `step` of pass `repeat` (both from 0). */
export interface PathPosition {
  step: number;
  repeat: number;
}

/** The position after `position`, or undefined when the last pass has run out. */
export function nextPosition(snapshot: PolicySnapshot, position: PathPosition): PathPosition | undefined {
  if (position.step + 1 < snapshot.steps.length) return { step: position.step + 1, repeat: position.repeat };
  if (position.repeat + 1 <= snapshot.repeat && snapshot.steps.length > 0) {
    return { step: 0, repeat: position.repeat + 1 };
  }
  return undefined;
}
