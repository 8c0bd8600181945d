import type { FirebreakConfig } from "../../config.js";
import { escapeMrkdwn, mentionUser } from "../../core/mrkdwn.js";
import { SEVERITIES } from "../../core/incident/severity.js";
import { humanDuration } from "../../core/duration.js";
import type { Incident } from "../../store/incidents/incidents.js";
import { ACTION } from "../ids.js";
import { serviceText } from "./service-line.js";
import type { Block } from "./blocks.js";
import { actions, button, capBlocks, context, divider, fields, header, option, section } from "./blocks.js";

const STATE_EMOJI = {
  declared: ":red_circle:",
  acknowledged: ":large_orange_circle:",
  mitigated: ":large_yellow_circle:",
  resolved: ":large_green_circle:",
};

/** `<!date^…>` renders in each reader's own time zone. */
export const slackDate = (d: Date) =>
  `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString().replace(/\.\d+Z$/, "Z")}>`;

/** Response target line: due time and what is left (or by how much it was missed). */
export function responseTargetText(incident: Incident, config: FirebreakConfig, now: Date): string {
  const target = config.severities[incident.severity].responseTargetMs;
  const due = new Date(incident.declaredAt.getTime() + target);
  if (incident.acknowledgedAt) {
    const took = incident.acknowledgedAt.getTime() - incident.declaredAt.getTime();
    return `${humanDuration(target)} — acknowledged after ${humanDuration(took)}${took > target ? " (missed)" : " (met)"}`;
  }
  const left = due.getTime() - now.getTime();
  return left >= 0
    ? `${humanDuration(target)} — ${humanDuration(left)} left (due ${slackDate(due)})`
    : `${humanDuration(target)} — *breached* ${humanDuration(-left)} ago`;
}

/** The pinned summary of an incident, updated in place on every change. */
export function renderIncidentSummary(
  incident: Incident,
  config: FirebreakConfig,
  now: Date,
  extraBlocks: Block[] = [],
): { text: string; blocks: Block[] } {
  const sev = config.severities[incident.severity];
  const title = `#${incident.id} ${incident.title}`;
  const blocks: Block[] = [
    header(`${incident.severity} · ${title}`),
    fields([
      `*State*\n${STATE_EMOJI[incident.state]} ${incident.state}`,
      `*Severity*\n${incident.severity} (${escapeMrkdwn(sev.label)})`,
      `*Commander*\n${incident.commander ? mentionUser(incident.commander) : "_unassigned_"}`,
      `*Age*\n${humanDuration(now.getTime() - incident.declaredAt.getTime())} (declared ${slackDate(incident.declaredAt)})`,
      `*Response target*\n${responseTargetText(incident, config, now)}`,
      `*Roles*\ncomms ${incident.comms ? mentionUser(incident.comms) : "—"} · scribe ${incident.scribe ? mentionUser(incident.scribe) : "—"}`,
      ...(incident.service ? [`*Service*\n${serviceText(incident.service, config.intake.services)}`] : []),
    ]),
  ];
  if (incident.description) blocks.push(section(escapeMrkdwn(incident.description)));
  if (incident.resolutionSummary)
    blocks.push(section(`*Resolution*: ${escapeMrkdwn(incident.resolutionSummary)}`));
  blocks.push(...extraBlocks);
  const id = String(incident.id);
  const controls: Block[] = [];
  if (incident.state === "declared") controls.push(button("Acknowledge", ACTION.ack, id, "primary"));
  if (incident.state !== "resolved") {
    controls.push(button("Resolve", ACTION.resolve, id, "danger"));
    controls.push({
      type: "static_select",
      action_id: ACTION.severity,
      placeholder: { type: "plain_text", text: "Change severity" },
      options: SEVERITIES.map((s) => option(`${s} — ${config.severities[s].label}`, `${id}:${s}`)),
    });
  }
  controls.push(button("Add note", ACTION.addNote, id));
  blocks.push(actions(`incident:${id}`, controls));
  if (incident.checklist.length) {
    blocks.push(divider(), section("*Response checklist*"));
    for (const item of incident.checklist) {
      const done = Boolean(item.doneBy);
      blocks.push(
        section(
          `${done ? ":white_check_mark:" : ":white_large_square:"} ${escapeMrkdwn(item.text)}${done && item.doneBy ? ` — ${mentionUser(item.doneBy)}` : ""}`,
          button(done ? "Undo" : "Done", ACTION.checklist, `${id}:${item.id}:${done ? "undo" : "done"}`),
        ),
      );
    }
  }
  blocks.push(context(`Firebreak · \`/incident help\` for commands · updated ${slackDate(now)}`));
  return {
    text: `${incident.severity} ${escapeMrkdwn(title)} — ${incident.state}`,
    blocks: capBlocks(blocks),
  };
}

/** The announcement of a new incident in the announcements channel. */
export function renderAnnouncement(
  incident: Incident,
  services: FirebreakConfig["intake"]["services"] = [],
): { text: string; blocks: Block[] } {
  const where = incident.channelId ? `<#${incident.channelId}>` : "its channel is being opened";
  const service = serviceText(incident.service, services);
  const text = `:rotating_light: ${incident.severity} incident #${incident.id} declared: ${escapeMrkdwn(incident.title)}${service ? ` (service ${service})` : ""} — ${where}`;
  return {
    text,
    blocks: [
      section(text),
      context(
        `Declared by ${mentionUser(incident.declaredBy)} · commander ${incident.commander ? mentionUser(incident.commander) : "unassigned"}`,
      ),
    ],
  };
}
