import { getEscalation } from "../../store/escalations/escalations.js";
import { escalationSummaryBlocks } from "../views/page-summary.js";
import type { SummarySection } from "./section.js";

/** Where the incident's escalation stands: policy, step, round, next page (none when it never escalated). */
export function escalationSummarySection(timeZone: string): SummarySection {
  return async (tx, incident) => {
    const esc = await getEscalation(tx, incident.id);
    if (!esc) return [];
    return escalationSummaryBlocks(
      {
        status: esc.status,
        policy: esc.policyName,
        stopReason: esc.stopReason,
        step: esc.currentStep,
        steps: esc.snapshot?.steps.length ?? 0,
        repeat: esc.currentRepeat,
        rounds: (esc.snapshot?.repeat ?? 0) + 1,
        nextDueAt: esc.nextDueAt,
        heldUntil: esc.heldUntil,
        holdReason: esc.holdReason,
      },
      timeZone,
    );
  };
}
