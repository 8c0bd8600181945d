import type { EscalationStep, NotifyTarget, ResolveTargets } from "./types.js";

/** What one step resolves to at a moment, target by target. */
export interface ResolvedStep {
  /** Everyone to page, each once, in the order the targets name them. */
  userIds: string[];
  byTarget: { target: NotifyTarget; userIds: string[] }[];
  /** Why nobody can be paged; set exactly when `userIds` is empty. */
  emptyReason?: string;
}

/** A short name for a target in messages: `schedule "primary"`, `usergroup S0DB`, `user U01`. */
export function describeTarget(target: NotifyTarget): string {
  switch (target.kind) {
    case "schedule":
      return `schedule "${target.schedule}"`;
    case "usergroup":
      return `usergroup ${target.usergroupId}`;
    case "user":
      return `user ${target.userId}`;
  }
}

function whyEmpty(target: NotifyTarget): string {
  switch (target.kind) {
    case "schedule":
      return `nobody is on call in ${describeTarget(target)}`;
    case "usergroup":
      return `${describeTarget(target)} has no members`;
    case "user":
      return `${describeTarget(target)} cannot be paged`;
  }
}

/** Resolves every target of `step` at `at` and removes repeated people. */
export function resolveStep(step: EscalationStep, at: Date, resolveTargets: ResolveTargets): ResolvedStep {
  const seen = new Set<string>();
  const byTarget = step.notify.map((target) => {
    const userIds = [...resolveTargets(target, at)];
    for (const id of userIds) seen.add(id);
    return { target, userIds };
  });
  const userIds = [...seen];
  if (userIds.length > 0) return { userIds, byTarget };
  const reason = step.notify.length === 0 ? "the step names nobody" : step.notify.map(whyEmpty).join("; ");
  return { userIds, byTarget, emptyReason: reason };
}
