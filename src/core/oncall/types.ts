import type { LocalDate, LocalTime } from "./zoned-time.js";

export type { LocalDate, LocalTime } from "./zoned-time.js";

/**
 * A weekly window during which a layer is on call, in the schedule's zone. `days` are the
 * ISO weekdays (1 = Monday … 7 = Sunday) on which a window *opens*; when `to` is not after
 * `from` the window runs past midnight into the next day (18:00–09:00 is a night shift).
 */
export interface Restriction {
  days: number[];
  from: LocalTime;
  to: LocalTime;
}

/**
 * One rotation: `users` take turns, each for `shiftMs` of wall-clock time, the first
 * turn beginning at `handoff` on `start` in the schedule's zone. Before that moment the
 * layer has nobody. `shiftMs` is measured on the local clock, so a daily shift is 23 or
 * 25 real hours across a daylight-saving change and the handoff stays at the same local time.
 */
export interface Layer {
  name: string;
  users: string[];
  shiftMs: number;
  handoff: LocalTime;
  start: LocalDate;
  /** Empty: on call around the clock. Otherwise only inside one of these windows. */
  restrict: Restriction[];
}

/**
 * Someone standing in for a schedule from `from` (inclusive) to `to` (exclusive).
 * `id` is set for overrides made with `/oncall override` (the store's id), not for
 * overrides written in config.
 */
export interface Override {
  id?: string;
  user: string;
  from: Date;
  to: Date;
}

/**
 * An on-call schedule. Later layers win wherever they have someone; overrides win over
 * every layer for their window, and among overlapping overrides the later one in the
 * list wins (config overrides first, then the ones passed at call time, oldest first).
 */
export interface Schedule {
  name: string;
  timeZone: string;
  layers: Layer[];
  overrides: Override[];
}

/**
 * Who is on call over a stretch of time. `shiftStart`/`shiftEnd` bound the stretch
 * during which this exact answer holds: a layer's shift as clipped by its restrictions,
 * higher layers and overrides; or an override's window; or a gap nobody covers.
 * A gap with no end in sight is cut at about a year from the moment asked about.
 */
export interface OnCall {
  users: string[];
  /** The layer that supplied `users`; null for overrides and gaps. */
  layer: string | null;
  shiftStart: Date;
  shiftEnd: Date;
  source: "override" | "layer" | "none";
  /** The override in force, when it has an id. */
  overrideId?: string;
}

/** Whom an escalation step pages. */
export type NotifyTarget =
  | { kind: "user"; userId: string }
  | { kind: "schedule"; schedule: string }
  | { kind: "usergroup"; usergroupId: string };

/** One step: page everyone `notify` resolves to, then wait `ackTimeoutMs` for an ack. */
export interface EscalationStep {
  notify: NotifyTarget[];
  ackTimeoutMs: number;
}

/** An escalation path: its steps in order, run `1 + repeat` times in all. */
export interface EscalationPolicy {
  name: string;
  repeat: number;
  steps: EscalationStep[];
}

/**
 * The policy as it stood when escalation started on an incident, stored with the incident
 * so that editing config mid-incident cannot skip, repeat or reorder pages. Plain JSON.
 */
export type PolicySnapshot = Readonly<EscalationPolicy>;

/**
 * Turns a target into the user ids to page at `at`. Built by the caller from
 * {@link whoIsOnCall} and usergroup membership; must be pure for a given input.
 * An empty answer means nobody can be paged through that target then.
 */
export type ResolveTargets = (target: NotifyTarget, at: Date) => readonly string[];

/** One page in an escalation forecast. `step` and `repeat` count from 0. */
export interface PlannedPage {
  step: number;
  repeat: number;
  dueAt: Date;
  userIds: string[];
  /** Set when nobody could be paged: why, and that the path moved on at once. */
  emptyReason?: string;
}

/** A step that resolved to nobody and was passed over at once. */
export interface SkippedStep {
  step: number;
  repeat: number;
  reason: string;
}
