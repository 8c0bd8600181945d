import { incidentChannelKey } from "../incidents/incident-notices.js";
import type { OutboxHandler } from "../slack/outbox-drainer.js";
import { enqueueSlackCall } from "../store/outbox/outbox-calls.js";
import { getIncident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";

const CHANNEL_MESSAGE = "alert.channel_message";

/**
 * Queues a message for an incident's channel. Unlike postInIncidentChannel it may be queued
 * before the channel exists: it goes out in the incident's order, after the channel is
 * created, and finds the channel id when it is sent.
 */
export async function queueAlertChannelMessage(
  tx: Queryable,
  incidentId: number,
  text: string,
): Promise<void> {
  await enqueueSlackCall(tx, {
    kind: CHANNEL_MESSAGE,
    method: "chat.postMessage",
    incidentId,
    channelKey: incidentChannelKey(incidentId),
    context: { text },
  });
}

/** The outbox continuation that renders those messages. */
export function alertOutboxHandlers(): Map<string, OutboxHandler> {
  return new Map<string, OutboxHandler>([
    [
      CHANNEL_MESSAGE,
      {
        async render(row, tx) {
          const incident = row.incidentId === null ? null : await getIncident(tx, row.incidentId);
          const text = row.context.text;
          if (!incident?.channelId || typeof text !== "string") return null;
          return { channel: incident.channelId, text, unfurl_links: false };
        },
      },
    ],
  ]);
}
