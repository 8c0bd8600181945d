import type { Severity } from "../incident/severity.js";
import type { AlertNotification, LabelSet } from "./types.js";

/** A heartbeat of firebreak.yaml: something that must check in every `intervalMs`. */
export interface HeartbeatSpec {
  name: string;
  intervalMs: number;
  /** Tolerated lateness on top of the interval before the beat counts as missed. */
  graceMs: number;
  severity: Severity;
  /** Extra labels, for services and routes (`heartbeat` and `alertname` are always set). */
  labels: LabelSet;
}

/** `waiting`: never beat (nothing is expected yet); `up`: beating; `missed`: overdue, its incident open. */
export type HeartbeatStatus = "waiting" | "up" | "missed";

/** What Postgres keeps about a heartbeat between beats. */
export interface HeartbeatState {
  status: HeartbeatStatus;
  lastBeatAt: Date | null;
  /** When the next beat is due at the latest (last beat + interval + grace); null while waiting. */
  deadlineAt: Date | null;
  /** The deadline that was missed, while `missed`. */
  missedAt: Date | null;
}

/** The state before the first beat. */
export const WAITING: HeartbeatState = {
  status: "waiting",
  lastBeatAt: null,
  deadlineAt: null,
  missedAt: null,
};

/** What one beat does: the new state, and whether it ends a missed episode. */
export function onBeat(
  state: HeartbeatState,
  spec: Pick<HeartbeatSpec, "intervalMs" | "graceMs">,
  now: Date,
): { next: HeartbeatState; recovered: { missedAt: Date } | null } {
  const next: HeartbeatState = {
    status: "up",
    lastBeatAt: now,
    deadlineAt: new Date(now.getTime() + spec.intervalMs + spec.graceMs),
    missedAt: null,
  };
  const recovered =
    state.status === "missed" ? { missedAt: state.missedAt ?? state.deadlineAt ?? now } : null;
  return { next, recovered };
}

/** Whether the deadline has passed without a beat (only a beating heartbeat can miss). */
export function isOverdue(state: HeartbeatState, now: Date): boolean {
  return state.status === "up" && state.deadlineAt !== null && state.deadlineAt.getTime() <= now.getTime();
}

/** The state once a missed deadline is noticed. */
export function onMissed(state: HeartbeatState): HeartbeatState {
  return { ...state, status: "missed", missedAt: state.deadlineAt };
}

/** Group key of a heartbeat's alert group: one group (so one incident at a time) per heartbeat. */
export const heartbeatGroupKey = (name: string) => `heartbeat:${name}`;

/**
 * The alert notification a missed beat (firing) or the beat after it (resolved) feeds into
 * the alert machinery, so grouping, storms, maintenance windows, routing and
 * `on_all_resolved` treat heartbeats like any alert. Times are the missed deadline and
 * the recovering beat, so a late copy is recognised like any alert's.
 */
export function heartbeatNotification(
  spec: HeartbeatSpec,
  event:
    | { kind: "missed"; missedAt: Date; lastBeatAt: Date | null }
    | { kind: "recovered"; missedAt: Date; beatAt: Date },
  receivedAt: Date,
): AlertNotification {
  const labels: LabelSet = { ...spec.labels, alertname: "HeartbeatMissed", heartbeat: spec.name };
  const summary =
    event.kind === "missed"
      ? `No heartbeat from ${spec.name} since ${event.lastBeatAt ? event.lastBeatAt.toISOString() : "it started"}`
      : `${spec.name} is beating again`;
  const annotations: LabelSet = {
    summary,
    description: `${spec.name} must beat every ${describeMs(spec.intervalMs)} (grace ${describeMs(spec.graceMs)}); POST /heartbeats/${spec.name} records a beat.`,
  };
  const resolved = event.kind === "recovered";
  return {
    receiver: "heartbeats",
    status: resolved ? "resolved" : "firing",
    alerts: [
      {
        fingerprint: heartbeatGroupKey(spec.name),
        status: resolved ? "resolved" : "firing",
        labels,
        annotations,
        startsAt: event.missedAt,
        endsAt: resolved ? event.beatAt : null,
        generatorURL: "",
        severity: spec.severity,
      },
    ],
    groupKey: heartbeatGroupKey(spec.name),
    groupLabels: { heartbeat: spec.name },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "",
    truncatedAlerts: 0,
    receivedAt,
    source: `heartbeat:${spec.name}`,
    title: `Heartbeat missed: ${spec.name}`,
  };
}

/** `1h`, `10m`, `90s`, `1h30m` — how firebreak.yaml writes durations. */
export function describeMs(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("");
}
