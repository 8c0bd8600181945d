import type pg from "pg";
import type { Clock } from "../../core/ports.js";
import { getWindow, listHeldGroups, setWindowAnnouncement } from "../../store/maintenance/windows.js";
import { MAINTENANCE_OUTBOX } from "../notifiers/maintenance-notifier.js";
import { renderWindowAnnouncement } from "../views/maintenance-message.js";
import type { OutboxHandler } from "./drainer.js";

async function announcement(tx: pg.PoolClient, windowId: number, now: Date) {
  const window = await getWindow(tx, windowId);
  if (!window?.announceChannel) return null;
  const { groups, total } = await listHeldGroups(tx, windowId, 20);
  return { window, ...renderWindowAnnouncement({ window, held: groups, heldTotal: total }, now) };
}

/**
 * Maintenance announcements: posted in the announcements channel when a window opens (the
 * message's ts kept on the window), then edited in place as it holds alerts back and ends.
 */
export function maintenanceOutboxHandlers(clock: Clock): Map<string, OutboxHandler> {
  return new Map<string, OutboxHandler>([
    [
      MAINTENANCE_OUTBOX.announce,
      {
        async render(row, tx) {
          const a = await announcement(tx, Number(row.context.windowId), clock.now());
          if (!a) return null;
          return { channel: a.window.announceChannel, text: a.text, blocks: a.blocks, unfurl_links: false };
        },
        async onDone(row, result, tx) {
          await setWindowAnnouncement(tx, Number(row.context.windowId), String(result.ts));
        },
      },
    ],
    [
      MAINTENANCE_OUTBOX.update,
      {
        async render(row, tx) {
          const a = await announcement(tx, Number(row.context.windowId), clock.now());
          // Not posted yet: the post renders the latest state itself.
          if (!a?.window.announceTs) return null;
          return {
            channel: a.window.announceChannel,
            ts: a.window.announceTs,
            text: a.text,
            blocks: a.blocks,
          };
        },
      },
    ],
  ]);
}
