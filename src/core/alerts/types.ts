import type { Severity } from "../incident/severity.js";

/** Whether Alertmanager reports an alert (or a whole group) as still firing or resolved. */
export type AlertStatus = "firing" | "resolved";

/** A label set or an annotation set: names to values. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * One alert as one notification reported it. `endsAt` is null while the alert fires:
 * Alertmanager zeroes it for firing alerts in notifications, so only a resolved alert's
 * `endsAt` says something (when it ended).
 */
export interface AlertObservation {
  /** Alertmanager's hash of the label set: the stable identity of an alert. */
  fingerprint: string;
  status: AlertStatus;
  labels: LabelSet;
  annotations: LabelSet;
  /** When this episode of the alert began (kept across Alertmanager's merges). */
  startsAt: Date;
  endsAt: Date | null;
  /** Link back to the rule that produced the alert; may be empty or anything: see `safeHttpUrl`. */
  generatorURL: string;
  /** The severity its source decided (an integration's severity_map, a heartbeat's config); else labels decide. */
  severity?: Severity;
  /** Links the source sent (Grafana's dashboard, panel and silence URLs; a generic event's `links`): anything, see `safeHttpUrl`. */
  links?: readonly AlertLink[];
  /** Grafana's `values`: the query results that made the alert fire. */
  values?: Readonly<Record<string, number | null>>;
}

/** A link an alert carries, with the text of its button. */
export interface AlertLink {
  text: string;
  url: string;
}

/**
 * One Alertmanager notification for one group, independent of the wire format. It is a
 * snapshot of the group at the time Alertmanager flushed it: every alert of the group,
 * except that at most `max_alerts` are listed and `truncatedAlerts` says how many were left
 * out. `status`, `commonLabels` and `commonAnnotations` are computed over the whole group,
 * truncated alerts included.
 */
export interface AlertNotification {
  receiver: string;
  /** `firing` if any alert of the group still fires (listed or not). */
  status: AlertStatus;
  alerts: readonly AlertObservation[];
  /** Alertmanager's identity of the group (route and group labels). */
  groupKey: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  externalURL: string;
  /** Alerts of the group left out of `alerts` because of `max_alerts`. */
  truncatedAlerts: number;
  /** When Firebreak received the notification (not when Alertmanager made it: it does not say). */
  receivedAt: Date;
  /**
   * Where it came from: `alertmanager`, `integration:<name>` or `heartbeat:<name>`; the
   * incident's source. Absent: `alertmanager`.
   */
  source?: string;
  /** A title its source gave (Grafana's, a generic event's); else the group's name and summary make one. */
  title?: string;
}
