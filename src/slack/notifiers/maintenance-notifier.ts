import type { MaintenanceNotifier } from "../../alerts/ports.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";

/** Outbox kinds of maintenance announcements (continuations in slack/outbox/maintenance-handlers.ts). */
export const MAINTENANCE_OUTBOX = {
  announce: "maintenance.announce",
  update: "maintenance.update",
} as const;

const key = (windowId: number) => `maintenance:${windowId}`;

/** The MaintenanceNotifier over the outbox: the announcement is rendered from the window's state when sent. */
export function createMaintenanceNotifier(): MaintenanceNotifier {
  return {
    async announce(tx, windowId) {
      await enqueueSlackCall(tx, {
        kind: MAINTENANCE_OUTBOX.announce,
        method: "chat.postMessage",
        context: { windowId },
        channelKey: key(windowId),
      });
    },
    async refresh(tx, windowId) {
      await enqueueSlackCall(tx, {
        kind: MAINTENANCE_OUTBOX.update,
        method: "chat.update",
        context: { windowId },
        channelKey: key(windowId),
        coalesceKey: `${key(windowId)}:update`,
      });
    },
  };
}
