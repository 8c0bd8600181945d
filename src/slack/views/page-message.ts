import { formatDuration } from "../../core/duration.js";
import { endSentence, escapeMrkdwn, mentionUser, truncate } from "../../core/mrkdwn.js";
import type { PageCause } from "../../paging/ports.js";
import type { Incident } from "../../store/incidents/incidents.js";
import type { Service } from "../../core/alerts/services.js";
import { ACTION } from "../ids.js";
import { serviceText } from "./service-line.js";
import { actions, button, context, section } from "./blocks.js";
import type { Block } from "./blocks.js";

/** Untrusted text as the end of a sentence: escaped, bounded, one closing mark. */
const sentence = (text: string) => endSentence(escapeMrkdwn(truncate(text, 500)));

function causeText(cause: PageCause): string {
  if (cause.kind === "adhoc") return `Paged by ${mentionUser(cause.by)}.`;
  const round = cause.repeat > 0 ? `, round ${cause.repeat + 1}` : "";
  const why = cause.note ? ` Paged because ${sentence(cause.note)}` : "";
  return `Escalation policy *${escapeMrkdwn(cause.policy)}*, step ${cause.step + 1} of ${cause.steps}${round}: acknowledge within ${formatDuration(cause.ackTimeoutMs)} or it escalates.${why}`;
}

/** The DM a paged person gets: the incident, its severity, its service and owner, and an Acknowledge button. */
export function pageDm(
  incident: Incident,
  cause: PageCause,
  services: readonly Service[] = [],
): { text: string; blocks: Block[] } {
  const title = escapeMrkdwn(truncate(incident.title, 200));
  const where = incident.channelId ? ` in <#${incident.channelId}>` : "";
  const service = serviceText(incident.service, services);
  const text = `:rotating_light: You are paged for incident #${incident.id} (${incident.severity}): ${title}`;
  return {
    text,
    blocks: [
      section(
        `:rotating_light: *You are paged: incident #${incident.id}, ${incident.severity}*\n${title}${where}${service ? `\nService: ${service}` : ""}`,
      ),
      context(causeText(cause)),
      actions(`page.${incident.id}`, [button("Acknowledge", ACTION.ack, String(incident.id), "primary")]),
    ],
  };
}

/** The line posted in the incident channel when people are paged. */
export function pageChannelMention(incident: Incident, userIds: readonly string[], cause: PageCause): string {
  const who = userIds.map(mentionUser).join(", ");
  if (cause.kind === "adhoc")
    return `:pager: ${mentionUser(cause.by)} paged ${who} for incident #${incident.id}.`;
  const round = cause.repeat > 0 ? `, round ${cause.repeat + 1}` : "";
  const why = cause.note ? ` Why: ${sentence(cause.note)}` : "";
  return `:pager: Paging ${who} (step ${cause.step + 1} of ${cause.steps}${round}, policy ${escapeMrkdwn(cause.policy)}): acknowledge within ${formatDuration(cause.ackTimeoutMs)}.${why}`;
}

/** The DM reminding the commander that the postmortem is due. */
export function postmortemReminder(incident: Incident): string {
  return `:memo: The postmortem for incident #${incident.id} (${incident.severity}: ${escapeMrkdwn(truncate(incident.title, 200))}) is due. \`firebreak timeline ${incident.id}\` exports its timeline as a starting point.`;
}
