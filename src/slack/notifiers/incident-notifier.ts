import type { IncidentNotifier } from "../../incidents/ports.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import type { Incident } from "../../store/incidents/incidents.js";
import type { Queryable } from "../../store/pool.js";

/** Channel key of an incident's calls: in order, paced, even before its channel exists. */
export const incidentChannelKey = (incidentId: number) => `incident:${incidentId}`;

/** Outbox kinds of the incident notifier (continuations in slack/outbox/incident-handlers.ts). */
export const INCIDENT_OUTBOX = {
  channelCreate: "incident.channel.create",
  invite: "incident.invite",
  summaryPost: "incident.summary.post",
  summaryUpdate: "incident.summary.update",
  pin: "incident.pin",
  announce: "incident.announce",
  message: "incident.message",
} as const;

/**
 * The IncidentNotifier over the Slack outbox: every call is a row enqueued in the caller's
 * transaction, sent by the drainer in the incident's order, rendered at send time.
 */
export function createIncidentNotifier(): IncidentNotifier {
  return {
    openChannel: (tx, incident, opts) =>
      enqueueSlackCall(tx, {
        kind: INCIDENT_OUTBOX.channelCreate,
        method: "conversations.create",
        incidentId: incident.id,
        channelKey: incidentChannelKey(incident.id),
        // The announcement follows once the channel exists, so that it can link to it.
        context: {
          incidentId: incident.id,
          attempt: 1,
          invite: [...opts.invite],
          ...(opts.announceChannel ? { announceChannel: opts.announceChannel } : {}),
        },
      }).then(() => undefined),

    post: (tx, incident, message) => postIncidentMessage(tx, incident, message),

    async refreshSummary(tx, incident) {
      // The summary is posted (rendered fresh) once the channel exists.
      if (!incident.channelId) return;
      await enqueueSlackCall(tx, {
        kind: INCIDENT_OUTBOX.summaryUpdate,
        method: "chat.update",
        incidentId: incident.id,
        channelKey: incidentChannelKey(incident.id),
        coalesceKey: `summary:${incident.id}`,
      });
    },

    replyEphemeral: (tx, responseUrl, message, incidentId) =>
      replyEphemeral(tx, responseUrl, message, incidentId),
  };
}

/**
 * Queues a message for the incident's channel. The args hold the message (and the channel,
 * when it exists already); the continuation re-reads the channel when it is sent.
 */
export async function postIncidentMessage(
  tx: Queryable,
  incident: Pick<Incident, "id" | "channelId">,
  message: { text: string; blocks?: unknown[] },
): Promise<void> {
  await enqueueSlackCall(tx, {
    kind: INCIDENT_OUTBOX.message,
    method: "chat.postMessage",
    args: {
      ...(incident.channelId ? { channel: incident.channelId } : {}),
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      unfurl_links: false,
    },
    incidentId: incident.id,
    channelKey: incidentChannelKey(incident.id),
  });
}

/** An ephemeral reply to whoever ran a slash command or clicked a button (its `response_url`). */
export async function replyEphemeral(
  tx: Queryable,
  responseUrl: string | undefined,
  message: { text: string; blocks?: unknown[] },
  incidentId?: number | null,
): Promise<void> {
  if (!responseUrl) return;
  await enqueueSlackCall(tx, {
    method: "response_url",
    args: {
      url: responseUrl,
      body: {
        response_type: "ephemeral",
        replace_original: false,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      },
    },
    incidentId: incidentId ?? null,
    channelKey: `response:${responseUrl}`,
  });
}
