import { formatInTimeZone } from "../time-format.js";
import { formatDuration } from "../duration.js";
import { resolveStep } from "./escalation-targets.js";
import { planEscalation } from "./plan-escalation.js";
import type { EscalationPolicy, NotifyTarget, ResolveTargets } from "./types.js";

/** How {@link simulateEscalation} writes people and times. */
export interface SimulateOptions {
  /** Defaults to `@U012AB`: plain text, so pasting the result pings nobody. */
  formatUser?: (userId: string) => string;
  /** When set, each line also shows the local weekday and time there. */
  timeZone?: string;
}

function label(target: NotifyTarget): string | undefined {
  switch (target.kind) {
    case "schedule":
      return `${target.schedule} on call`;
    case "usergroup":
      return `usergroup ${target.usergroupId}`;
    case "user":
      return undefined;
  }
}

/**
 * The escalation of `policy` from `at` if nobody acknowledged, as text lines for
 * `/oncall simulate` and the CLI:
 * `T+0 page @alice (primary on call)`, `T+15m page @bob`, … and a last line saying when
 * and why it would end.
 */
export function simulateEscalation(
  policy: EscalationPolicy,
  at: Date,
  resolveTargets: ResolveTargets,
  options: SimulateOptions = {},
): string[] {
  const formatUser = options.formatUser ?? ((id: string) => `@${id}`);
  const stamp = (when: Date) => {
    const elapsed = when.getTime() - at.getTime();
    const offset = elapsed === 0 ? "T+0" : `T+${formatDuration(elapsed)}`;
    if (options.timeZone === undefined) return offset;
    return `${offset} (${formatInTimeZone(when, options.timeZone, "EEE HH:mm")})`;
  };
  const passes = (repeat: number) =>
    policy.repeat > 0 ? ` [round ${repeat + 1} of ${policy.repeat + 1}]` : "";

  const plan = planEscalation(policy, at, resolveTargets);
  const lines: string[] = [];
  let endsAt = at;
  let paged = false;
  for (const page of plan) {
    const step = policy.steps[page.step];
    if (!step) continue;
    const where = `step ${page.step + 1}${passes(page.repeat)}`;
    if (page.emptyReason !== undefined) {
      lines.push(`${stamp(page.dueAt)} ${where}: ${page.emptyReason}, escalating at once`);
      endsAt = page.dueAt;
      continue;
    }
    const named = new Set<string>();
    const people: string[] = [];
    for (const { target, userIds } of resolveStep(step, page.dueAt, resolveTargets).byTarget) {
      for (const id of userIds.filter((u) => !named.has(u))) {
        named.add(id);
        const why = label(target);
        people.push(why === undefined ? formatUser(id) : `${formatUser(id)} (${why})`);
      }
    }
    lines.push(
      `${stamp(page.dueAt)} page ${people.join(", ")} — ${where}, ack within ${formatDuration(step.ackTimeoutMs)}`,
    );
    endsAt = new Date(page.dueAt.getTime() + step.ackTimeoutMs);
    paged = true;
  }
  lines.push(
    paged
      ? `${stamp(endsAt)} nobody acknowledged: escalation ends`
      : `${stamp(endsAt)} nobody could be paged: escalation ends`,
  );
  return lines;
}
