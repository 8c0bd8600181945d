import type { AlertNotification, AlertObservation, AlertStatus } from "./types.js";

/**
 * What Firebreak remembers about one alert (one fingerprint) of a group between
 * notifications.
 */
export interface AlertState {
  status: AlertStatus;
  /** Start of the latest episode seen. */
  startsAt: Date;
  /**
   * End of the latest resolution seen, kept when the alert fires again so that a late
   * copy of that resolution is recognised; null if it was never seen resolved.
   */
  endsAt: Date | null;
  /** When the last notification that changed or confirmed this state arrived. */
  lastNotificationAt: Date;
}

/** Why an alert of a notification changed nothing. */
export type IgnoredReason =
  /** A firing report of an episode already seen resolved: a delayed or duplicated delivery. */
  | "stale_firing"
  /** A resolution older than what is known (an earlier episode, or one already applied). */
  | "stale_resolution"
  /** Resolved, but never seen firing: remembered so a late firing copy is not taken as new. */
  | "resolved_unseen";

/** How one notification changed the group's alerts. Each listed alert lands in one list. */
export interface AlertChanges {
  /** Firing for the first time. */
  added: AlertObservation[];
  /** Was firing, now resolved. */
  resolved: AlertObservation[];
  /** Was resolved, fires again. */
  refired: AlertObservation[];
  /** Same status as before (repeats, duplicates, Alertmanager's re-sends). */
  unchanged: AlertObservation[];
  ignored: { alert: AlertObservation; reason: IgnoredReason }[];
  /**
   * Fingerprints known as firing that the notification does not list. They stay firing:
   * an alert is only resolved by a notification that says so.
   */
  unlisted: string[];
}

/** The group's new per-fingerprint states and what changed. */
export interface AlertMergeResult {
  states: Map<string, AlertState>;
  changes: AlertChanges;
  /**
   * Every alert known for the group is resolved, and no firing alert can be hiding among
   * the truncated ones: the moment for `on_all_resolved`.
   */
  allResolved: boolean;
}

export interface AlertMergeOptions {
  /**
   * How long after a resolution a firing report of the same episode is still taken as a
   * late copy rather than as the alert firing again. Default 2 minutes.
   */
  maxDeliveryDelayMs?: number;
}

/** Default for `AlertMergeOptions.maxDeliveryDelayMs`. */
export const DEFAULT_MAX_DELIVERY_DELAY_MS = 2 * 60_000;

/**
 * Merges one notification into the stored states of its group (keyed by fingerprint).
 * Pure: `stored` is not modified.
 *
 * Alertmanager delivers at least once and, with HA peers or slow receivers, not always in
 * order, and a notification carries no time of its own. Order is therefore decided by
 * each alert's own times; `receivedAt` only breaks the one tie they leave open:
 *
 * 1. Unknown fingerprint: firing → added; resolved → remembered as resolved
 *    (`resolved_unseen`), so that a delayed firing copy of the same episode is ignored.
 * 2. Known firing, report firing → unchanged (the later `startsAt` is kept).
 * 3. Known firing, report resolved at `endsAt` → resolved, unless that end is not after
 *    the last resolution already applied, or is before the episode we know began
 *    (`stale_resolution`).
 * 4. Known resolved at E, report firing since S →
 *    - S > E: a new episode → refired;
 *    - S ≤ E: the same episode, which Alertmanager reports as firing either because this
 *      is a copy made before the resolution, or because it fires again and Alertmanager
 *      kept the old `startsAt` (e.g. Prometheus restarted with restored `for` state).
 *      It is refired if the notification proves it was made after E (another alert in it
 *      resolved after E) or if it arrived more than `maxDeliveryDelayMs` after the
 *      resolution (Alertmanager stops retrying an old notification well before that);
 *      otherwise it is `stale_firing`. A real refire inside that window is caught by
 *      Alertmanager's next repeat; a late copy must never reopen an incident for good,
 *      since Alertmanager will not send that resolution again.
 * 5. Known resolved, report resolved → unchanged.
 *
 * Alerts the notification does not list are never resolved: they may be among the
 * `truncatedAlerts`, or the notification may be an old one. A resolved alert with no
 * `endsAt` is taken as ended at `receivedAt`.
 */
export function mergeAlertStates(
  stored: ReadonlyMap<string, AlertState>,
  notification: AlertNotification,
  options: AlertMergeOptions = {},
): AlertMergeResult {
  const maxDelay = options.maxDeliveryDelayMs ?? DEFAULT_MAX_DELIVERY_DELAY_MS;
  const states = new Map(stored);
  const changes: AlertChanges = {
    added: [],
    resolved: [],
    refired: [],
    unchanged: [],
    ignored: [],
    unlisted: [],
  };
  const at = notification.receivedAt;
  const madeAfter = latestResolution(notification);

  for (const alert of notification.alerts) {
    const state = states.get(alert.fingerprint);
    const outcome = state
      ? state.status === "firing"
        ? onFiringState(state, alert, at)
        : onResolvedState(state, alert, at, madeAfter, maxDelay)
      : onUnknown(alert, at);
    if (outcome.next) states.set(alert.fingerprint, outcome.next);
    if (outcome.kind === "ignored") changes.ignored.push({ alert, reason: outcome.reason });
    else changes[outcome.kind].push(alert);
  }

  const listed = new Set(notification.alerts.map((a) => a.fingerprint));
  for (const [fingerprint, state] of states) {
    if (state.status === "firing" && !listed.has(fingerprint)) changes.unlisted.push(fingerprint);
  }
  const noneFiring = [...states.values()].every((s) => s.status === "resolved");
  const nothingHidden = notification.truncatedAlerts === 0 || notification.status === "resolved";
  return { states, changes, allResolved: states.size > 0 && noneFiring && nothingHidden };
}

type Outcome =
  | { kind: "added" | "resolved" | "refired" | "unchanged"; next: AlertState }
  | { kind: "ignored"; reason: IgnoredReason; next?: AlertState };

function onUnknown(alert: AlertObservation, at: Date): Outcome {
  if (alert.status === "firing") {
    return {
      kind: "added",
      next: { status: "firing", startsAt: alert.startsAt, endsAt: null, lastNotificationAt: at },
    };
  }
  const next: AlertState = {
    status: "resolved",
    startsAt: alert.startsAt,
    endsAt: endOf(alert, at),
    lastNotificationAt: at,
  };
  return { kind: "ignored", reason: "resolved_unseen", next };
}

function onFiringState(state: AlertState, alert: AlertObservation, at: Date): Outcome {
  if (alert.status === "firing") {
    return {
      kind: "unchanged",
      next: { ...state, startsAt: later(state.startsAt, alert.startsAt), lastNotificationAt: at },
    };
  }
  const end = endOf(alert, at);
  const alreadyApplied = state.endsAt !== null && end.getTime() <= state.endsAt.getTime();
  if (alreadyApplied || end.getTime() < state.startsAt.getTime()) {
    return { kind: "ignored", reason: "stale_resolution" };
  }
  return {
    kind: "resolved",
    next: { status: "resolved", startsAt: state.startsAt, endsAt: end, lastNotificationAt: at },
  };
}

function onResolvedState(
  state: AlertState,
  alert: AlertObservation,
  at: Date,
  madeAfter: Date | null,
  maxDelay: number,
): Outcome {
  const resolvedAt = state.endsAt ?? state.lastNotificationAt;
  if (alert.status === "resolved") {
    const next: AlertState = {
      status: "resolved",
      startsAt: later(state.startsAt, alert.startsAt),
      endsAt: later(resolvedAt, endOf(alert, at)),
      lastNotificationAt: at,
    };
    return { kind: "unchanged", next };
  }
  const newEpisode = alert.startsAt.getTime() > resolvedAt.getTime();
  const provenLater = madeAfter !== null && madeAfter.getTime() > resolvedAt.getTime();
  const tooLateForACopy = at.getTime() - state.lastNotificationAt.getTime() > maxDelay;
  if (!newEpisode && !provenLater && !tooLateForACopy) return { kind: "ignored", reason: "stale_firing" };
  const next: AlertState = {
    status: "firing",
    startsAt: alert.startsAt,
    endsAt: resolvedAt,
    lastNotificationAt: at,
  };
  return { kind: "refired", next };
}

// Alertmanager only lists an alert as resolved once its endsAt has passed, so the latest
// such endsAt is a lower bound on when the notification was made.
function latestResolution(notification: AlertNotification): Date | null {
  let latest: Date | null = null;
  for (const a of notification.alerts) {
    if (a.status === "resolved" && a.endsAt && (!latest || a.endsAt > latest)) latest = a.endsAt;
  }
  return latest;
}

function endOf(alert: AlertObservation, at: Date): Date {
  return alert.endsAt ?? at;
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
