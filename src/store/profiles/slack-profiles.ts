import type { Queryable } from "../pool.js";

/** A Slack user's name and time zone as users.info last reported them. */
export interface SlackProfile {
  userId: string;
  name: string | null;
  timeZone: string | null;
  fetchedAt: Date | null;
  requestedAt: Date;
}

/** The cached profiles of these users (absent: never asked for). */
export async function readProfiles(db: Queryable, userIds: readonly string[]): Promise<SlackProfile[]> {
  if (!userIds.length) return [];
  const res = await db.query<{
    user_id: string;
    name: string | null;
    time_zone: string | null;
    fetched_at: Date | null;
    requested_at: Date;
  }>("SELECT * FROM slack_profiles WHERE user_id = ANY($1::text[])", [userIds]);
  return res.rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    timeZone: r.time_zone,
    fetchedAt: r.fetched_at,
    requestedAt: r.requested_at,
  }));
}

/**
 * Marks these users' profiles as asked for at `now`, unless they were asked for after
 * `askedBefore` already (a refresh in flight). Returns the ids newly marked: those need a call.
 */
export async function markProfilesRequested(
  tx: Queryable,
  userIds: readonly string[],
  now: Date,
  askedBefore: Date,
): Promise<string[]> {
  if (!userIds.length) return [];
  const res = await tx.query<{ user_id: string }>(
    `INSERT INTO slack_profiles (user_id, requested_at) SELECT unnest($1::text[]), $2
     ON CONFLICT (user_id) DO UPDATE SET requested_at = EXCLUDED.requested_at
       WHERE slack_profiles.requested_at < $3
     RETURNING user_id`,
    [userIds, now, askedBefore],
  );
  return res.rows.map((r) => r.user_id);
}

/** Stores what users.info answered (or why it could not). */
export async function saveProfile(
  tx: Queryable,
  userId: string,
  profile: { name: string | null; timeZone: string | null; error?: string },
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO slack_profiles (user_id, name, time_zone, fetched_at, requested_at, error)
     VALUES ($1, $2, $3, $4, $4, $5)
     ON CONFLICT (user_id) DO UPDATE SET
       name = COALESCE(EXCLUDED.name, slack_profiles.name),
       time_zone = COALESCE(EXCLUDED.time_zone, slack_profiles.time_zone),
       fetched_at = EXCLUDED.fetched_at, error = EXCLUDED.error`,
    [userId, profile.name, profile.timeZone, now, profile.error ?? null],
  );
}
