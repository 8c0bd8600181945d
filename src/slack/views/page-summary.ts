import { formatInTimeZone } from "../../core/time-format.js";
import { escapeMrkdwn } from "../../core/mrkdwn.js";
import { context } from "./blocks.js";
import type { Block } from "./blocks.js";

/** Where an incident's escalation stands, as the pinned summary shows it. */
export interface EscalationSummary {
  status: "active" | "stopped" | "exhausted" | "none";
  policy: string | null;
  stopReason: string | null;
  step: number;
  steps: number;
  repeat: number;
  rounds: number;
  nextDueAt: Date | null;
  /** Paging held (a self-heal has its chance) until then. */
  heldUntil?: Date | null;
  holdReason?: string | null;
}

/** One context line for the pinned summary: which step was paged, and when the next one is due. */
export function escalationSummaryBlocks(e: EscalationSummary, timeZone: string): Block[] {
  const policy = `*${escapeMrkdwn(e.policy ?? "")}*`;
  const round = e.rounds > 1 ? ` (round ${e.repeat + 1} of ${e.rounds})` : "";
  const next = e.nextDueAt ? formatInTimeZone(e.nextDueAt, timeZone, "HH:mm") : "";
  switch (e.status) {
    case "none":
      return [context(":pager: No escalation policy applies: nobody is paged automatically.")];
    case "exhausted":
      return [context(`:warning: Escalation ${policy} ran out: nobody acknowledged.`)];
    case "stopped":
      return [context(`:pager: Escalation ${policy} stopped (${escapeMrkdwn(e.stopReason ?? "")}).`)];
    case "active":
      if (e.heldUntil)
        return [
          context(
            `:hourglass_flowing_sand: Escalation ${policy} held until ${formatInTimeZone(e.heldUntil, timeZone, "HH:mm")}: ${escapeMrkdwn(e.holdReason ?? "")}. Nobody is paged unless that fails.`,
          ),
        ];
      return [
        context(
          e.step < 0
            ? `:pager: Escalation ${policy}: paging step 1 of ${e.steps}.`
            : `:pager: Escalation ${policy}: step ${e.step + 1} of ${e.steps} paged${round}; next step at ${next} unless acknowledged.`,
        ),
      ];
  }
}
