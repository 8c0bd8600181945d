import { SEVERITIES } from "../incident/severity.js";
import type { Severity } from "../incident/severity.js";
import type { AlertObservation, LabelSet } from "./types.js";

/** How an alert's labels map to an incident severity (the `alerts` section of firebreak.yaml). */
export interface SeverityMapping {
  /** The label that carries the alert's severity. */
  label: string;
  /** Label value (compared case-insensitively) to severity. */
  map: Readonly<Record<string, Severity>>;
  /** For a missing or unknown value. */
  fallback: Severity;
}

/** Prometheus' customary `severity` label: critical pages (P1), the rest are P3. */
export const DEFAULT_SEVERITY_MAPPING: SeverityMapping = {
  label: "severity",
  map: { critical: "P1", warning: "P3", info: "P3" },
  fallback: "P3",
};

/** The severity one label set asks for. */
export function severityFromLabels(
  labels: LabelSet,
  mapping: SeverityMapping = DEFAULT_SEVERITY_MAPPING,
): Severity {
  const value = Object.hasOwn(labels, mapping.label) ? labels[mapping.label]!.trim().toLowerCase() : "";
  if (value === "") return mapping.fallback;
  for (const [key, severity] of Object.entries(mapping.map)) {
    if (key.toLowerCase() === value) return severity;
  }
  return mapping.fallback;
}

/**
 * The severity of a group: the most urgent of its firing alerts (of all alerts when none
 * fires any more), falling back to the group's common labels when no alert is listed. An
 * alert whose source decided its severity keeps it; the others are read from their labels.
 */
export function groupSeverity(
  alerts: readonly AlertObservation[],
  commonLabels: LabelSet,
  mapping: SeverityMapping = DEFAULT_SEVERITY_MAPPING,
): Severity {
  const firing = alerts.filter((a) => a.status === "firing");
  const considered = firing.length > 0 ? firing : alerts;
  if (considered.length === 0) return severityFromLabels(commonLabels, mapping);
  return mostUrgent(considered.map((a) => a.severity ?? severityFromLabels(a.labels, mapping)));
}

/** The most urgent of several severities (P0 before P1 …). */
export function mostUrgent(severities: readonly Severity[]): Severity {
  let best = SEVERITIES.length - 1;
  for (const s of severities) best = Math.min(best, SEVERITIES.indexOf(s));
  return SEVERITIES[best]!;
}
