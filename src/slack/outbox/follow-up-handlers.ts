import { getFollowUp, setFollowUpMessage } from "../../store/follow-ups/follow-ups.js";
import { getIncident } from "../../store/incidents/incidents.js";
import { FOLLOW_UP_OUTBOX } from "../notifiers/follow-up-notifier.js";
import { renderFollowUpMessage } from "../views/follow-up-message.js";
import type { OutboxHandler } from "./drainer.js";

/**
 * Follow-up messages: posted in the incident channel as the follow-up is when sent (its
 * ts remembered for later edits), and edited in place when it is ticked or reopened.
 */
export function followUpOutboxHandlers(): [string, OutboxHandler][] {
  return [
    [
      FOLLOW_UP_OUTBOX.post,
      {
        async render(row, tx) {
          const f = await getFollowUp(tx, Number(row.context.followUpId));
          const incident = f ? await getIncident(tx, f.incidentId) : null;
          if (!f || !incident?.channelId) return null;
          return {
            channel: incident.channelId,
            unfurl_links: false,
            ...renderFollowUpMessage(incident.id, f),
          };
        },
        async onDone(row, result, tx) {
          const channel = typeof result.channel === "string" ? result.channel : undefined;
          if (channel && typeof result.ts === "string")
            await setFollowUpMessage(tx, Number(row.context.followUpId), channel, result.ts);
        },
      },
    ],
    [
      FOLLOW_UP_OUTBOX.update,
      {
        // Not posted yet: the post, rendered when it is sent, shows the latest state.
        async render(row, tx) {
          const f = await getFollowUp(tx, Number(row.context.followUpId));
          if (!f?.channelId || !f.messageTs) return null;
          return { channel: f.channelId, ts: f.messageTs, ...renderFollowUpMessage(f.incidentId, f) };
        },
      },
    ],
  ];
}
