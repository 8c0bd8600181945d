import { inputInvalid } from "../core/errors.js";
import { policyForSeverity } from "../core/oncall/runbook-policy.js";
import { simulateEscalation } from "../core/oncall/simulate-escalation.js";
import { createTargetResolver } from "../core/oncall/target-resolver.js";
import type { Severity } from "../core/incident/severity.js";
import type { Override } from "../core/oncall/types.js";
import type { PagingConfig } from "../config-schema/paging.js";

/** A policy by name, or the one a severity uses. */
export type SimulateTarget = { kind: "policy"; name: string } | { kind: "severity"; severity: Severity };

/**
 * The dry run of `/oncall simulate` and `firebreak oncall simulate`: who would be paged,
 * and when, from `at` if nobody acknowledged. Usergroups count as having nobody (their
 * members are Slack's to tell), which the text says.
 */
export function simulatePolicy(
  paging: PagingConfig,
  target: SimulateTarget,
  at: Date,
  overrides: Readonly<Record<string, readonly Override[]>>,
  options: { formatUser?: (id: string) => string; timeZone?: string } = {},
): string[] {
  const policy =
    target.kind === "policy"
      ? paging.escalation_policies[target.name]
      : policyForSeverity(paging.escalation_policies, paging.severity_policies, target.severity);
  const known = Object.keys(paging.escalation_policies);
  if (!policy) {
    throw inputInvalid(
      target.kind === "policy"
        ? `There is no escalation policy "${target.name}" (${known.length ? `policies: ${known.join(", ")}` : "none are configured in firebreak.yaml"}).`
        : `No escalation policy applies to ${target.severity}: add one under severity_policies or name one "default" in firebreak.yaml.`,
    );
  }
  const resolve = createTargetResolver({ schedules: paging.schedules, overrides });
  const heading = `Escalation policy *${policy.name}*${target.kind === "severity" ? ` (for ${target.severity})` : ""} from ${at.toISOString().replace(/\.\d{3}Z$/, "Z")}, if nobody acknowledges:`;
  return [heading, ...simulateEscalation(policy, at, resolve, options)];
}
