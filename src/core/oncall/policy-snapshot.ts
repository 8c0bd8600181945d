import type { EscalationPolicy, PolicySnapshot } from "./types.js";

/**
 * A deep, plain-JSON copy of `policy` to store with an incident when escalation starts,
 * so that later edits to firebreak.yaml cannot change a running escalation.
 */
export function snapshotPolicy(policy: EscalationPolicy): PolicySnapshot {
  return {
    name: policy.name,
    repeat: policy.repeat,
    steps: policy.steps.map((step) => ({
      ackTimeoutMs: step.ackTimeoutMs,
      notify: step.notify.map((target) => ({ ...target })),
    })),
  };
}
