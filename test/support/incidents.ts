import type { Incident } from "../../src/store/incidents/incidents.js";

/**
 * An incident whose every person-typed field tries markup (a broadcast mention, a link, a
 * script tag): what views must render as text. Override what a test needs.
 */
export function hostileIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 7,
    title: "<!channel> Checkout & <@U0BOB> down <script>",
    description: "<https://evil.example|click> me",
    severity: "P0",
    state: "declared",
    source: "slack",
    declaredBy: "U0ALICE",
    commander: "U0ALICE",
    comms: null,
    scribe: null,
    channelId: "C1",
    channelName: "inc-x",
    summaryTs: null,
    declaredAt: new Date("2026-11-21T10:00:00Z"),
    acknowledgedAt: null,
    acknowledgedBy: null,
    mitigatedAt: null,
    resolvedAt: null,
    resolvedBy: null,
    resolutionSummary: null,
    checklist: [{ id: 1, text: "Confirm impact <!here>" }],
    escalationPolicy: null,
    service: null,
    version: 0,
    ...overrides,
  };
}
