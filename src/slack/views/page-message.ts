import { formatDuration } from "../../core/duration.js";
import { endSentence, escapeMrkdwn, mentionUser, truncate } from "../../core/mrkdwn.js";
import type { PageCause } from "../../paging/ports.js";
import type { Incident } from "../../store/incidents/incidents.js";
import type { Service } from "../../core/alerts/services.js";
import { ACTION } from "../ids.js";
import { serviceText } from "./service-line.js";
import { actions, button, context, divider, section } from "./blocks.js";
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

/** How many incidents a bundled page DM shows in full (Block Kit allows 50 blocks a message). */
export const BUNDLE_SHOWN = 14;

/**
 * Several pages to one person in one DM: each incident as its own DM would show it, with
 * its Acknowledge button, and an Acknowledge all at the end. Past {@link BUNDLE_SHOWN}
 * incidents the rest are listed in one line each (Acknowledge all covers them too).
 */
export function pageBundleDm(pages: readonly { incidentId: number; text: string; blocks: Block[] }[]): {
  text: string;
  blocks: Block[];
} {
  const ids = pages.map((p) => p.incidentId);
  const list = ids.map((id) => `#${id}`).join(", ");
  const text = truncate(`:rotating_light: You are paged for ${pages.length} incidents: ${list}`, 3000);
  const blocks: Block[] = [section(`:rotating_light: *You are paged for ${pages.length} incidents at once*`)];
  for (const p of pages.slice(0, BUNDLE_SHOWN)) blocks.push(divider(), ...p.blocks);
  const rest = pages.slice(BUNDLE_SHOWN);
  if (rest.length)
    blocks.push(
      divider(),
      section(
        truncate(
          `…and ${rest.length} more:\n${rest.map((p) => `• ${p.text.replace(/^:rotating_light: You are paged for /, "")}`).join("\n")}`,
          3000,
        ),
      ),
    );
  // A button's value holds 2,000 characters: whole ids only.
  const covered: number[] = [];
  for (const id of ids) if ([...covered, id].join(",").length <= 2000) covered.push(id);
  blocks.push(
    divider(),
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
