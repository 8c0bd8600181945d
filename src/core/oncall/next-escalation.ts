import { nextPosition, type PathPosition } from "./escalation-cursor.js";
import { resolveStep } from "./escalation-targets.js";
import type { PolicySnapshot, ResolveTargets, SkippedStep } from "./types.js";

/**
 * Where an incident's escalation stands, as the engine stores it.
 * Start from {@link startEscalation}; after a `page` decision store
 * `currentStep = step`, `currentRepeat = repeat`, `stepStartedAt = now`, `skipToNext = false`.
 */
export interface EscalationState {
  snapshot: PolicySnapshot;
  startedAt: Date;
  acknowledgedAt?: Date;
  resolvedAt?: Date;
  /** The step paged last (from 0), or -1 before the first page. */
  currentStep: number;
  /** The pass that step belongs to (from 0). */
  currentRepeat: number;
  /** When the step paged last went out: its ack window runs from here. */
  stepStartedAt: Date;
  /** "Escalate now" was pressed: end the current ack window at once. */
  skipToNext?: boolean;
}

/** What the engine should do now. */
export type EscalationDecision =
  /** Page `userIds` for (step, repeat); look again at `nextDueAt`. `skipped` lists steps passed over on the way. */
  | { kind: "page"; step: number; repeat: number; userIds: string[]; nextDueAt: Date; skipped: SkippedStep[] }
  /** Nothing is due yet: look again at `dueAt`. */
  | { kind: "wait"; dueAt: Date }
  /** Every step has been tried and nobody acknowledged; nothing more will be paged. */
  | { kind: "exhausted"; skipped: SkippedStep[] }
  /** The incident was acknowledged or resolved; nothing more will be paged. */
  | { kind: "stopped"; reason: "acknowledged" | "resolved" };

/** The state of an escalation that has started but paged nobody yet. */
export function startEscalation(snapshot: PolicySnapshot, startedAt: Date): EscalationState {
  return { snapshot, startedAt, currentStep: -1, currentRepeat: 0, stepStartedAt: startedAt };
}

/**
 * The one decision the escalation engine makes on each timer (or reconcile). An
 * acknowledged or resolved incident is never paged again. A `page` always names the
 * position after the stored one, so storing it together with the pages it sends (keyed by
 * incident, step, repeat and person) means no step is paged twice and, since a timer that
 * fires early or twice just gets `wait`, none is dropped. One call pages at most one step;
 * a page that goes out late still gets its whole ack window (`nextDueAt` counts from
 * `now`). Steps that resolve to nobody at `now` are skipped at once and listed.
 */
export function nextEscalation(
  state: EscalationState,
  now: Date,
  resolveTargets: ResolveTargets,
): EscalationDecision {
  if (state.resolvedAt) return { kind: "stopped", reason: "resolved" };
  if (state.acknowledgedAt) return { kind: "stopped", reason: "acknowledged" };

  const { snapshot } = state;
  const current = snapshot.steps[state.currentStep];
  const dueAt = state.stepStartedAt.getTime() + (current?.ackTimeoutMs ?? 0);
  if (!state.skipToNext && now.getTime() < dueAt) return { kind: "wait", dueAt: new Date(dueAt) };

  let position: PathPosition | undefined =
    state.currentStep < 0
      ? snapshot.steps.length > 0
        ? { step: 0, repeat: 0 }
        : undefined
      : nextPosition(snapshot, { step: state.currentStep, repeat: state.currentRepeat });
  const skipped: SkippedStep[] = [];
  // Resolution is pure for a given `now`, so once a whole round has found nobody, more rounds would too.
  while (position && skipped.length < snapshot.steps.length) {
    const step = snapshot.steps[position.step];
    if (!step) break;
    const resolved = resolveStep(step, now, resolveTargets);
    if (resolved.emptyReason === undefined) {
      return {
        kind: "page",
        ...position,
        userIds: resolved.userIds,
        nextDueAt: new Date(now.getTime() + step.ackTimeoutMs),
        skipped,
      };
    }
    skipped.push({ ...position, reason: resolved.emptyReason });
    position = nextPosition(snapshot, position);
  }
  return { kind: "exhausted", skipped };
}
