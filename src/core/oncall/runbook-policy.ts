import type { Severity } from "../incident/severity.js";
import type { EscalationPolicy, NotifyTarget } from "./types.js";

const MINUTE = 60_000;

/**
 * The ack timeouts of the escalation path in our users' runbooks: the first line on call
 * gets 15 minutes, the tech lead 30, the director an hour. A configured step without
 * `ack_timeout` takes the one for its position (the third and later: an hour).
 */
export const RUNBOOK_ACK_TIMEOUTS_MS = [15 * MINUTE, 30 * MINUTE, 60 * MINUTE] as const;

/** The runbook's ack timeout for the step at `index` (from 0). */
export function runbookAckTimeout(index: number): number {
  return RUNBOOK_ACK_TIMEOUTS_MS[Math.min(index, RUNBOOK_ACK_TIMEOUTS_MS.length - 1)] ?? 60 * MINUTE;
}

/**
 * The runbook path as a policy named `default`: the first line (15m), then the tech lead
 * (30m), then the director (1h), run once.
 */
export function runbookEscalationPolicy(targets: {
  firstLine: NotifyTarget[];
  techLead: NotifyTarget[];
  director: NotifyTarget[];
}): EscalationPolicy {
  return {
    name: "default",
    repeat: 0,
    steps: [targets.firstLine, targets.techLead, targets.director].map((notify, i) => ({
      notify,
      ackTimeoutMs: runbookAckTimeout(i),
    })),
  };
}

/**
 * The escalation policy for a severity: the one `severityPolicies` names, else the
 * policy called `default`, else undefined (nobody is paged automatically).
 */
export function policyForSeverity(
  policies: Readonly<Record<string, EscalationPolicy>>,
  severityPolicies: Readonly<Partial<Record<Severity, string>>>,
  severity: Severity,
): EscalationPolicy | undefined {
  const named = severityPolicies[severity];
  return policies[named ?? "default"];
}
