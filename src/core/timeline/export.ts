import { describeTimeline } from "../postmortem/describe-timeline.js";
import type { NameOf } from "../postmortem/describe-event.js";
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

/**
 * The timeline as Markdown: a table a reviewer can read (each event in a sentence, with
 * names when `nameOf` knows them), the raw data and each event's hash.
 */
export function timelineToMarkdown(
  incident: ExportedIncident,
  events: readonly StoredEvent[],
  verified: string,
  nameOf?: NameOf,
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
    "| # | time (UTC) | actor | what | event | details | hash |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const { event: e, sentence } of describeTimeline(events, nameOf)) {
    const details = cell(canonicalJson(e.data)).slice(0, 500);
    lines.push(
      `| ${e.seq} | ${e.at.toISOString()} | ${cell(e.actor)} | ${cell(sentence)} | ${cell(e.kind)} | ${details} | \`${e.hash.slice(0, 12)}\` |`,
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
