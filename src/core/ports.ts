/** Time, injected so that every decision can be tested with an explicit `now`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
