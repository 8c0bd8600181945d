/**
 * The incident lifecycle: declared → acknowledged → mitigated → resolved, with reopen.
 * Pure: given the current state and an action it says what the next state is, or why not.
 */
export const INCIDENT_STATES = ["declared", "acknowledged", "mitigated", "resolved"] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export type LifecycleAction = "ack" | "mitigate" | "resolve" | "reopen";

export type TransitionResult =
  | { outcome: "changed"; from: IncidentState; to: IncidentState }
  /** Already where the action leads (a double click, a retried request): nothing changes. */
  | { outcome: "unchanged"; state: IncidentState; reason: string }
  | { outcome: "refused"; state: IncidentState; reason: string };

const TARGET: Record<LifecycleAction, IncidentState> = {
  ack: "acknowledged",
  mitigate: "mitigated",
  resolve: "resolved",
  reopen: "declared",
};

const ALLOWED: Record<LifecycleAction, readonly IncidentState[]> = {
  ack: ["declared"],
  mitigate: ["declared", "acknowledged"],
  resolve: ["declared", "acknowledged", "mitigated"],
  reopen: ["resolved"],
};

const ORDER: Record<IncidentState, number> = { declared: 0, acknowledged: 1, mitigated: 2, resolved: 3 };

export function transition(state: IncidentState, action: LifecycleAction): TransitionResult {
  const to = TARGET[action];
  if (ALLOWED[action].includes(state)) return { outcome: "changed", from: state, to };
  if (state === to) return { outcome: "unchanged", state, reason: `The incident is already ${state}.` };
  if (action === "ack" && ORDER[state] > ORDER.acknowledged && state !== "resolved") {
    // Acknowledging a mitigated incident: someone is already on it.
    return {
      outcome: "unchanged",
      state,
      reason: `The incident is already ${state}; no acknowledgement needed.`,
    };
  }
  if (action === "reopen")
    return {
      outcome: "refused",
      state,
      reason: `Only a resolved incident can be reopened; this one is ${state}.`,
    };
  if (state === "resolved") {
    return {
      outcome: "refused",
      state,
      reason: `The incident is resolved. Reopen it first (\`/incident reopen\`).`,
    };
  }
  return { outcome: "refused", state, reason: `Cannot ${action} an incident that is ${state}.` };
}
