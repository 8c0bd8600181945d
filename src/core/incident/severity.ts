/** Incident severities, most to least urgent. */
export const SEVERITIES = ["P0", "P1", "P2", "P3"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Accepts `P1`, `p1`, `sev1`, `SEV-1`, `1`. */
export function parseSeverity(value: string): Severity | undefined {
  const m = /^(?:p|sev-?)?([0-3])$/i.exec(value.trim());
  return m ? (`P${m[1]}` as Severity) : undefined;
}
