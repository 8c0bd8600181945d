import { canonicalJson } from "./canonical-json.js";
import type { StoredEvent } from "./event-hash.js";

/** What an export says about the incident itself. */
export interface ExportedIncident {
  id: number;
  title: string;
  severity: string;
  state: string;
  declaredAt: Date;
  resolvedAt: Date | null;
}

/** The timeline as Markdown: a table a reviewer can read, with each event's hash. */
export function timelineToMarkdown(
  incident: ExportedIncident,
  events: readonly StoredEvent[],
  verified: string,
): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const lines = [
    `# Incident #${incident.id}: ${cell(incident.title)}`,
    "",
    `- Severity: ${incident.severity}`,
    `- State: ${incident.state}`,
    `- Declared: ${incident.declaredAt.toISOString()}`,
    ...(incident.resolvedAt ? [`- Resolved: ${incident.resolvedAt.toISOString()}`] : []),
    `- Audit chain: ${verified}`,
    "",
    "| # | time (UTC) | actor | event | details | hash |",
    "|---|---|---|---|---|---|",
  ];
  for (const e of events) {
    const details = cell(canonicalJson(e.data)).slice(0, 500);
    lines.push(
      `| ${e.seq} | ${e.at.toISOString()} | ${cell(e.actor)} | ${cell(e.kind)} | ${details} | \`${e.hash.slice(0, 12)}\` |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The timeline as JSON: every field, hashes included, so that it can be re-verified elsewhere. */
export function timelineToJson(
  incident: ExportedIncident,
  events: readonly StoredEvent[],
  verified: boolean,
): string {
  return JSON.stringify(
    {
      incident,
      verified,
      events: events.map((e) => ({
        seq: e.seq,
        at: e.at.toISOString(),
        actor: e.actor,
        kind: e.kind,
        data: e.data,
        prev_hash: e.prevHash,
        hash: e.hash,
      })),
    },
    null,
    2,
  );
}
