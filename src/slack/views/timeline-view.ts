import { escapeMrkdwn, mentionUser, truncate } from "../../core/mrkdwn.js";
import type { TimelineEvent } from "../../store/timeline/timeline-events.js";
import type { Block } from "./blocks.js";
import { capBlocks, context, header, section } from "./blocks.js";
import { slackDate } from "./incident-summary.js";

/** One line of a timeline event, for Slack (escaped) — also the basis of the Markdown export. */
export function describeEvent(e: TimelineEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const s = (v: unknown) =>
    escapeMrkdwn(truncate(typeof v === "string" ? v : v == null ? "" : JSON.stringify(v), 300));
  switch (e.kind) {
    case "incident.declared":
      return `declared ${s(d.severity)}: ${s(d.title)}`;
    case "incident.acknowledged":
    case "incident.mitigated":
    case "incident.resolved":
    case "incident.reopened":
      return `${e.kind.slice("incident.".length)}${d.summary ? `: ${s(d.summary)}` : ""}`;
    case "incident.severity_changed":
      return `severity ${s(d.from)} → ${s(d.to)}`;
    case "incident.role_assigned":
      return `${s(d.role)} → ${mentionUser(String(d.user))}`;
    case "incident.note":
      return `note: ${s(d.text)}`;
    case "checklist.ticked":
    case "checklist.unticked":
      return `${e.kind === "checklist.ticked" ? "ticked" : "unticked"}: ${s(d.text)}`;
    case "command.refused":
      return `refused ${s(d.command)}: ${s(d.reason)}`;
    case "slack.channel_created":
      return `channel created: ${s(d.name)}`;
    case "slack.message_posted":
      return `bot posted: ${s(d.text)}`;
    default:
      return `${s(e.kind)}${Object.keys(d).length ? ` ${s(JSON.stringify(d))}` : ""}`;
  }
}

const actorText = (actor: string) =>
  /^[UW][A-Z0-9]+$/.test(actor) ? mentionUser(actor) : `_${escapeMrkdwn(actor)}_`;

/** The latest events of an incident, for `/incident timeline`. */
export function renderTimeline(
  incidentId: number,
  events: TimelineEvent[],
): { text: string; blocks: Block[] } {
  const blocks: Block[] = [header(`Timeline of incident #${incidentId}`)];
  if (!events.length) blocks.push(section("_No events yet._"));
  for (const e of events)
    blocks.push(context(`${slackDate(e.at)} · ${actorText(e.actor)} · ${describeEvent(e)}`));
  blocks.push(context(`Full export: \`firebreak timeline ${incidentId} --format md\``));
  return { text: `Timeline of incident #${incidentId}`, blocks: capBlocks(blocks) };
}
