/** Time, injected so that every decision can be tested with an explicit `now`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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
