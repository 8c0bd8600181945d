import type pg from "pg";
import type { Role } from "../core/incident/roles.js";
import type { FollowUp } from "../store/follow-ups/follow-ups.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import type { Outcome } from "./deps.js";

/** Who holds which workspace role (config users, plus members of Slack user groups). */
export interface RoleDirectory {
  rolesOf(userId: string): Promise<ReadonlySet<Role>>;
}

/** A message for an incident's channel. */
export interface ChannelMessage {
  text: string;
  blocks?: unknown[];
}

/**
 * How the incident use-cases tell people what happened: the incident channel, its pinned
 * summary, and ephemeral replies. Implemented over the Slack outbox (slack/notifiers), so
 * each call is queued in the caller's transaction and goes out only if it commits.
 */
export interface IncidentNotifier {
  /**
   * Opens the incident's channel: create it, invite `invite`, set topic and purpose, post
   * and pin the summary, then announce it (in `announceChannel`, else the configured one).
   */
  openChannel(
    tx: Queryable,
    incident: Incident,
    opts: { invite: readonly string[]; announceChannel?: string },
  ): Promise<void>;
  /**
   * Posts in the incident's channel, in the incident's order. Queued before the channel
   * exists, it goes out once the channel does (the channel is looked up when it is sent).
   */
  post(tx: Queryable, incident: Pick<Incident, "id" | "channelId">, message: ChannelMessage): Promise<void>;
  /** Re-renders the pinned summary; many refreshes in a row coalesce into one update. */
  refreshSummary(tx: Queryable, incident: Incident): Promise<void>;
  /** Tells one person something only they see (the `response_url` of their command or click). */
  replyEphemeral(
    tx: Queryable,
    responseUrl: string | undefined,
    message: ChannelMessage,
    incidentId?: number | null,
  ): Promise<void>;
}

/** Kinds of incident change that other parts of Firebreak react to. */
export type IncidentChangeKind =
  "declared" | "acknowledged" | "mitigated" | "resolved" | "reopened" | "severity_changed" | "role_assigned";

/** A change, told to listeners inside the transaction that makes it. */
export interface IncidentChange {
  kind: IncidentChangeKind;
  incident: Incident;
  before: Incident | null;
  actor: string;
}

/**
 * Reacts to incident changes inside the transaction that makes them (paging starts on
 * declare and stops on ack in the same commit, so no page can follow an ack).
 */
export interface IncidentChangeListener {
  onIncidentChange(tx: pg.PoolClient, change: IncidentChange): Promise<void>;
}

/** Whom `/incident page` pages: one person, or whoever is on call in a schedule. */
export type AdHocTarget = { kind: "user"; userId: string } | { kind: "schedule"; schedule: string };

/** A hold on an incident's paging while a self-heal has its chance. */
export interface PagingHold {
  /** Nobody is paged before this. */
  until: Date;
  /** What the hold waits for (the summary and the timeline say it). */
  reason: string;
  /** What paging says when the hold runs out, e.g. "still firing 5m after redis-set-maxmemory succeeded". */
  ifExpired: string;
}

/**
 * What other features need from paging: `/incident escalate` and `/incident page`, and the
 * hold a self-heal puts on paging. The hold lives in the escalation's row in Postgres (the
 * first page deferred, with a timer that looks again), so it survives restarts and every
 * replica sees it; its methods run in the caller's transaction, under the incident's lock.
 */
export interface IncidentPaging {
  /** `requestKey` (the command's trigger id) makes a redelivered command a no-op, not a second page. */
  escalateNow(incidentId: number, actor: string, requestKey?: string): Promise<Outcome>;
  pageAdHoc(incidentId: number, actor: string, target: AdHocTarget, requestKey?: string): Promise<Outcome>;
  /**
   * Holds (or moves the hold of) an escalation that has paged nobody yet. False when there
   * is nothing to hold: no policy applies, or someone was paged already.
   */
  holdEscalation(tx: Queryable, incidentId: number, hold: PagingHold): Promise<boolean>;
  /** Ends a hold now: paging starts at once, saying `why` in the channel and the page. False when not held. */
  releaseEscalationHold(
    tx: Queryable,
    incident: Pick<Incident, "id" | "channelId">,
    why: string,
  ): Promise<boolean>;
  /** Stops an escalation still held, so nobody is paged (the alert cleared). False when it was not held any more. */
  stopHeldEscalation(tx: Queryable, incidentId: number, reason: string, actor: string): Promise<boolean>;
}

/**
 * What Slack shows of an incident's follow-ups: a message per follow-up in the incident
 * channel with a tick button, edited in place when it is ticked off or reopened. Told
 * inside the transaction that changes the follow-up; implemented over the outbox.
 */
export interface FollowUpNotifier {
  added(tx: Queryable, incident: Incident, followUp: FollowUp): Promise<void>;
  changed(tx: Queryable, incident: Incident, followUp: FollowUp): Promise<void>;
}
