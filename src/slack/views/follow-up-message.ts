import { escapeMrkdwn, mentionUser, truncate } from "../../core/mrkdwn.js";
import { displayName } from "../../core/people.js";
import type { FollowUp } from "../../store/follow-ups/follow-ups.js";
import { ACTION } from "../ids.js";

/** A follow-up's button value: which one, and what a click does. */
export const followUpValue = (incidentId: number, number: number, op: "done" | "undo") =>
  `${incidentId}:${number}:${op}`;

const who = (id: string) =>
  id.startsWith("web:") ? escapeMrkdwn(displayName(id, new Map())) : mentionUser(id);

/** A follow-up in the incident channel: what to do, who added it, whether it is done, and a button to tick it. */
export function renderFollowUpMessage(incidentId: number, f: FollowUp): { text: string; blocks: unknown[] } {
  const done = f.doneAt !== null && f.doneBy !== null;
  const body = escapeMrkdwn(truncate(f.text, 500));
  const head = `${done ? ":ballot_box_with_check:" : ":white_square:"} *Follow-up ${f.number}* · ${done ? `~${body}~` : body}`;
  const ts = (d: Date) => Math.floor(d.getTime() / 1000);
  const status = done
    ? `Added by ${who(f.createdBy)} · done, ticked by ${who(f.doneBy!)} <!date^${ts(f.doneAt!)}^{date_short_pretty} {time}|${f.doneAt!.toISOString()}>`
    : `Added by ${who(f.createdBy)} · open`;
  return {
    text: `Follow-up ${f.number} of incident #${incidentId}${done ? " (done)" : ""}: ${f.text}`,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: head },
        accessory: {
          type: "button",
          action_id: ACTION.followUp,
          text: { type: "plain_text", text: done ? "Reopen" : "Mark done" },
          value: followUpValue(incidentId, f.number, done ? "undo" : "done"),
          ...(done ? {} : { style: "primary" }),
        },
      },
      { type: "context", elements: [{ type: "mrkdwn", text: status }] },
    ],
  };
}

/** `/incident followups`: every follow-up of the incident, each with its button. */
export function renderFollowUpList(
  incidentId: number,
  followUps: readonly FollowUp[],
): { text: string; blocks: unknown[] } {
  if (!followUps.length)
    return {
      text: `Incident #${incidentId} has no follow-ups yet. Add one: \`/incident followup <what needs doing>\`.`,
      blocks: [],
    };
  const open = followUps.filter((f) => !f.doneAt).length;
  return {
    text: `Follow-ups of incident #${incidentId}: ${open} open, ${followUps.length - open} done.`,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `*Follow-ups of incident #${incidentId}* · ${open} open, ${followUps.length - open} done`,
        },
      },
      // Two blocks each; Slack allows 50 a message.
      ...followUps.slice(0, 24).flatMap((f) => renderFollowUpMessage(incidentId, f).blocks),
    ],
  };
}
