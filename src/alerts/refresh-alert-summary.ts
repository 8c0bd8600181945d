import { incidentChannelKey, refreshSummary } from "../incidents/incident-notices.js";
import { enqueueSlackCall } from "../slack/outbox-store.js";
import type { Incident } from "../store/incident-store.js";
import type { Queryable } from "../store/pool.js";
import { holdPendingCoalescedCall } from "./summary-update-store.js";

/**
 * refreshSummary, safe against the update that is being sent right now: a coalesced
 * enqueue would fold this change into a call already rendered without it, and alert
 * changes come in quick bursts. A waiting update is held until commit (it then renders
 * this change); one in flight gets a follow-up under a second key. Calls of one incident
 * go out one at a time, so at most one of the two keys is ever in flight.
 */
export async function refreshAlertSummary(tx: Queryable, incident: Incident): Promise<void> {
  if (!incident.channelId) return;
  const main = await holdPendingCoalescedCall(tx, `summary:${incident.id}`);
  if (main === "held") return;
  if (main === "none") return refreshSummary(tx, incident);
  const followUpKey = `alert-summary:${incident.id}`;
  if ((await holdPendingCoalescedCall(tx, followUpKey)) === "held") return;
  await enqueueSlackCall(tx, {
    kind: "incident.summary.update",
    method: "chat.update",
    incidentId: incident.id,
    channelKey: incidentChannelKey(incident.id),
    coalesceKey: followUpKey,
  });
}
