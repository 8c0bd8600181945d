import type { FieldPath } from "./field-path.js";
import type { Severity } from "../incident/severity.js";
import type { LabelSet } from "./types.js";

/** Where a generic integration finds each field in the body it receives (`fields:` in firebreak.yaml). */
export interface GenericFieldMap {
  dedup_key: FieldPath;
  title?: FieldPath;
  severity?: FieldPath;
  status?: FieldPath;
  description?: FieldPath;
  links?: FieldPath;
  labels?: FieldPath;
}

/** How a generic integration reads its events. */
export interface GenericMapping {
  fields: GenericFieldMap;
  /** Body value (lower case) → severity; P0–P3 are understood as they are. */
  severityMap: Readonly<Record<string, Severity>>;
  /** For a missing or unmapped severity. */
  defaultSeverity: Severity;
  /** Status values (lower case) that mean resolved; anything else fires. */
  resolvedValues: readonly string[];
  /** Labels every event of the integration carries (for services, routes and maintenance windows). */
  labels: LabelSet;
}
