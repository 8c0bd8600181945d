import { nextPosition, type PathPosition } from "./escalation-cursor.js";
import { resolveStep } from "./escalation-targets.js";
import type { PlannedPage, PolicySnapshot, ResolveTargets } from "./types.js";

/**
 * The pages escalation would send if nobody acknowledged, in order: each step is paged
 * when the previous one's ack window runs out; a step that resolves to nobody is listed
 * with `emptyReason` and the path moves on at the same instant. The whole path runs
 * `1 + snapshot.repeat` times, except that once a full round of steps in a row has found
 * nobody, the plan stops, since further rounds at that same instant would find nobody too.
 * Targets are resolved at each page's due time, so rotations handing off mid-escalation
 * are followed.
 */
export function planEscalation(
  snapshot: PolicySnapshot,
  startedAt: Date,
  resolveTargets: ResolveTargets,
): PlannedPage[] {
  const plan: PlannedPage[] = [];
  let cursor = startedAt.getTime();
  let emptyInARow = 0;
  for (
    let position: PathPosition | undefined = snapshot.steps.length > 0 ? { step: 0, repeat: 0 } : undefined;
    position && emptyInARow < snapshot.steps.length;
    position = nextPosition(snapshot, position)
  ) {
    const step = snapshot.steps[position.step];
    if (!step) break;
    const dueAt = new Date(cursor);
    const resolved = resolveStep(step, dueAt, resolveTargets);
    if (resolved.emptyReason !== undefined) {
      plan.push({ ...position, dueAt, userIds: [], emptyReason: resolved.emptyReason });
      emptyInARow += 1;
      continue;
    }
    plan.push({ ...position, dueAt, userIds: resolved.userIds });
    emptyInARow = 0;
    cursor += step.ackTimeoutMs;
  }
  return plan;
}
