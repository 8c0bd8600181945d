import { MANUAL_SOURCE } from "../../core/insights/filter.js";
import type { InsightsFilter } from "../../core/insights/filter.js";

/** SQL parameters collected while a query is built; `add` returns the placeholder. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The filter's conditions on an incidents row aliased `i` (severity, manual or alert, service),
 * as SQL joined by AND ("TRUE" when none). Values travel as parameters.
 */
export function incidentConditions(
  f: Pick<InsightsFilter, "severities" | "origin" | "service">,
  p: Params,
  alias = "i",
): string {
  const parts: string[] = [];
  if (f.severities.length) parts.push(`${alias}.severity = ANY(${p.add(f.severities)}::text[])`);
  if (f.origin === "manual") parts.push(`${alias}.source = ${p.add(MANUAL_SOURCE)}`);
  if (f.origin === "alert") parts.push(`${alias}.source <> ${p.add(MANUAL_SOURCE)}`);
  if (f.service !== undefined) parts.push(`${alias}.service = ${p.add(f.service)}`);
  return parts.length ? parts.join(" AND ") : "TRUE";
}

/** True when the filter narrows incidents (runs outside any incident then drop out). */
export const narrowsIncidents = (f: Pick<InsightsFilter, "severities" | "origin" | "service">) =>
  f.severities.length > 0 || f.origin !== undefined || f.service !== undefined;

export const num = (v: string | number | null): number => (v === null ? 0 : Number(v));
export const numOrNull = (v: string | number | null): number | null => (v === null ? null : Number(v));
