import type { FollowUpNotifier } from "../../incidents/ports.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { incidentChannelKey } from "./incident-notifier.js";

/** Outbox kinds of follow-up messages (continuations in slack/outbox/follow-up-handlers.ts). */
export const FOLLOW_UP_OUTBOX = { post: "followup.post", update: "followup.update" } as const;

/**
 * The FollowUpNotifier over the outbox: a follow-up's message goes to the incident channel
 * in the incident's order, rendered at send time from the follow-up as it is then; a tick
 * edits that message (updates in a row coalesce into one).
 */
export function createFollowUpNotifier(): FollowUpNotifier {
  return {
    added: (tx, incident, f) =>
      enqueueSlackCall(tx, {
        kind: FOLLOW_UP_OUTBOX.post,
        method: "chat.postMessage",
        incidentId: incident.id,
        channelKey: incidentChannelKey(incident.id),
        context: { followUpId: f.id },
      }).then(() => undefined),
    changed: (tx, incident, f) =>
      enqueueSlackCall(tx, {
        kind: FOLLOW_UP_OUTBOX.update,
        method: "chat.update",
        incidentId: incident.id,
        channelKey: incidentChannelKey(incident.id),
        coalesceKey: `followup:${f.id}`,
        context: { followUpId: f.id },
      }).then(() => undefined),
  };
}
