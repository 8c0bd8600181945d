import type { Catalog } from "../../core/catalog/types.js";
import { runPickerBlocks } from "../views/run-catalog.js";
import type { SummarySection } from "./section.js";

/** The "Run a diagnostic or remediation…" picker: the catalog's commands allowed at the incident's severity. */
export function runPickerSection(catalog: Catalog): SummarySection {
  return async (_tx, incident) => {
    if (incident.state === "resolved") return [];
    const allowed = [...catalog.commands.values()].filter(
      (c) => !c.policy.severities || c.policy.severities.includes(incident.severity),
    );
    return runPickerBlocks(incident.id, allowed);
  };
}
