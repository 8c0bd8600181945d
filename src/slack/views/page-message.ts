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

/**
 * How many incidents a bundled page DM shows with their own Acknowledge: Block Kit allows
 * 50 blocks a message; each incident takes one, the heading, the rest and Acknowledge all three.
 */
export const BUNDLE_SHOWN = 47;

/** One incident's line in a bundled page DM (what its own DM says, in one section). */
export function pageBundleLine(
  incident: Incident,
  cause: PageCause,
  services: readonly Service[] = [],
): string {
  const title = escapeMrkdwn(truncate(incident.title, 200));
  const where = incident.channelId ? ` in <#${incident.channelId}>` : "";
  const service = serviceText(incident.service, services);
  return truncate(
    `*#${incident.id}, ${incident.severity}*: ${title}${where}${service ? ` (${service})` : ""}\n${causeText(cause)}`,
    3000,
  );
}

/**
 * Several pages to one person in one DM: a line per incident with its Acknowledge button,
 * and an Acknowledge all at the end. Past {@link BUNDLE_SHOWN} incidents the rest are
 * listed by number (Acknowledge all covers them too).
 */
export function pageBundleDm(pages: readonly { incidentId: number; line: string }[]): {
  text: string;
  blocks: Block[];
} {
  const ids = pages.map((p) => p.incidentId);
  const text = truncate(
    `:rotating_light: You are paged for ${pages.length} incidents: ${ids.map((id) => `#${id}`).join(", ")}`,
    3000,
  );
  const blocks: Block[] = [section(`:rotating_light: *You are paged for ${pages.length} incidents at once*`)];
  for (const p of pages.slice(0, BUNDLE_SHOWN))
    blocks.push(section(p.line, button("Acknowledge", ACTION.ack, String(p.incidentId), "primary")));
  const rest = pages.slice(BUNDLE_SHOWN);
  if (rest.length)
    blocks.push(
      section(truncate(`…and ${rest.length} more: ${rest.map((p) => `#${p.incidentId}`).join(", ")}`, 3000)),
    );
  // A button's value holds 2,000 characters: whole ids only.
  const covered: number[] = [];
  for (const id of ids) if ([...covered, id].join(",").length <= 2000) covered.push(id);
  blocks.push(
    actions("page.all", [
      button(`Acknowledge all ${covered.length}`, ACTION.ackAll, covered.join(","), "primary"),
    ]),
  );
  return { text, blocks };
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
