import type { ContactMethodType } from "./notify/contact-methods.js";
import type { NtfyMessage } from "./notify/page-messages.js";

/** Time, injected so that every decision can be tested with an explicit `now`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Members of user groups as last read, and which groups could not be read. */
export interface UserGroupMembers {
  members: Record<string, string[]>;
  /** Groups never read successfully (Slack refused or is down): their members are unknown. */
  unreadable: string[];
}

/**
 * Who is in which Slack user group. One directory per process, kept in memory and
 * refreshed in the background, so that nothing on the request path waits for Slack.
 */
export interface UserGroupDirectory {
  /** Members as last read; undefined while the group was never read. Never calls Slack. */
  cached(groupId: string): readonly string[] | undefined;
  /**
   * Members for background work (alert processing, paging): groups never read, or stale,
   * are read now — unless a recent read of that group failed, which is not retried before
   * its back-off ends. A group that cannot be read keeps its last known members.
   */
  load(groupIds: readonly string[]): Promise<UserGroupMembers>;
  /** Re-reads every group it knows (the background refresh). */
  refresh(): Promise<void>;
}

/** People's display names (their Slack profile), for records read by people, not machines. */
export interface UserNames {
  /** "Alice Archer", or undefined when it cannot be told (unknown user, Slack unreachable). */
  nameOf(userId: string): Promise<string | undefined>;
}

/** Someone who appears in incidents: a name to show and the zone their nights are in. */
export interface Person {
  /** Slack user id. */
  id: string;
  name: string;
  /** IANA time zone, when known. */
  timeZone?: string;
}

/**
 * Looks people up by Slack user id, for pages, reports and postmortems. Implementations
 * answer from what they hold (config, a cache) and never call Slack on the caller's path;
 * ids they do not know yet are absent from the answer.
 */
export interface PeopleDirectory {
  lookup(userIds: readonly string[]): Promise<ReadonlyMap<string, Person>>;
}

/** One message out through one page provider, already rendered for its medium. */
export type OutboundMessage =
  | { type: "sms"; to: string; body: string; statusCallback?: string }
  /** A call that fetches its TwiML from `url` (a page), or runs `twiml` inline (a verification code). */
  | { type: "voice"; to: string; url?: string; twiml?: string; statusCallback?: string }
  | { type: "email"; to: string; subject: string; text: string; html: string; messageId: string }
  | { type: "ntfy"; topic: string; message: NtfyMessage }
  | { type: "webhook"; url: string; secret: string; body: string; deliveryId: number; timeoutMs: number };

/** What the provider took: its own id for the message, when it has one (Twilio SID, ntfy id). */
export interface SendReceipt {
  ref: string | null;
}

/**
 * A way out for pages (Twilio, SMTP, ntfy, a webhook). `send` resolves once the provider
 * has taken the message, or throws a FirebreakError: `dependency_unavailable`,
 * `rate_limited` or `timeout` when a retry may succeed, anything else when it cannot.
 * `findSent` answers, after a worker died mid-send, whether the provider took that
 * message after `since` (its ref), `null` when it did not, `undefined` when it cannot tell.
 */
export interface PageProvider {
  send(message: OutboundMessage): Promise<SendReceipt>;
  findSent?(message: OutboundMessage, since: Date): Promise<string | null | undefined>;
  close?(): Promise<void>;
}

/** The providers an install has, by contact method type; each is loaded on first use. */
export interface PageProviders {
  /** Types whose provider is configured. */
  readonly available: ReadonlySet<ContactMethodType>;
  /** The provider for `type`; throws config_invalid when it is not configured. */
  get(type: Exclude<ContactMethodType, "slack">): Promise<PageProvider>;
  close(): Promise<void>;
}
