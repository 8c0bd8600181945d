import type { AlertNotification, AlertObservation } from "./types.js";

/**
 * A notification Firebreak made itself (a generic event mapped by its integration, a
 * heartbeat's missed or recovered beat) as the JSON stored in `alert_notifications.body`:
 * mapped once when received, so a later change of the integration's fields cannot change
 * what an event already stored means.
 */
export function notificationToJson(n: AlertNotification): string {
  return JSON.stringify(n);
}

/** Reads back what notificationToJson wrote (times become Dates again). */
export function notificationFromJson(text: string): AlertNotification {
  const raw = JSON.parse(text) as Omit<AlertNotification, "receivedAt" | "alerts"> & {
    receivedAt: string;
    alerts: (Omit<AlertObservation, "startsAt" | "endsAt"> & { startsAt: string; endsAt: string | null })[];
  };
  return {
    ...raw,
    receivedAt: new Date(raw.receivedAt),
    alerts: raw.alerts.map((a) => ({
      ...a,
      startsAt: new Date(a.startsAt),
      endsAt: a.endsAt === null ? null : new Date(a.endsAt),
    })),
  };
}
