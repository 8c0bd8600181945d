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
