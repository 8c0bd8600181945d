import type { Queryable } from "../store/pool.js";
import { enqueueSlackCall } from "../store/outbox/outbox-calls.js";
import type { Incident } from "../store/incidents/incidents.js";

/** Channel key of an incident's calls: in order, paced, even before its channel exists. */
export const incidentChannelKey = (incidentId: number) => `incident:${incidentId}`;

/** Re-renders the pinned summary; many changes in a row coalesce into one chat.update. */
export async function refreshSummary(tx: Queryable, incident: Incident): Promise<void> {
  if (!incident.channelId) return; // the summary is posted (rendered fresh) once the channel exists
  await enqueueSlackCall(tx, {
    kind: "incident.summary.update",
    method: "chat.update",
    incidentId: incident.id,
    channelKey: incidentChannelKey(incident.id),
    coalesceKey: `summary:${incident.id}`,
  });
}

/** Posts a message in the incident's channel (once it exists: until then, the summary says it all). */
export async function postInIncidentChannel(
  tx: Queryable,
  incident: Incident,
  message: { text: string; blocks?: unknown[] },
  purpose = "incident.message",
): Promise<void> {
  if (!incident.channelId) return;
  await enqueueSlackCall(tx, {
    kind: purpose === "incident.message" ? "raw" : purpose,
    method: "chat.postMessage",
    args: {
      channel: incident.channelId,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      unfurl_links: false,
    },
    incidentId: incident.id,
    channelKey: incidentChannelKey(incident.id),
  });
}

/** An ephemeral reply to whoever ran a slash command or clicked a button. */
export async function replyEphemeral(
  tx: Queryable,
  responseUrl: string | undefined,
  text: string,
  opts: { incidentId?: number; blocks?: unknown[] } = {},
): Promise<void> {
  if (!responseUrl) return;
  await enqueueSlackCall(tx, {
    method: "response_url",
    args: {
      url: responseUrl,
      body: {
        response_type: "ephemeral",
        replace_original: false,
        text,
        ...(opts.blocks ? { blocks: opts.blocks } : {}),
      },
    },
    incidentId: opts.incidentId ?? null,
    channelKey: `response:${responseUrl}`,
  });
}
