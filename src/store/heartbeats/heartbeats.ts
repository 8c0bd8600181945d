import type { HeartbeatState, HeartbeatStatus } from "../../core/alerts/heartbeat.js";
import type { Queryable } from "../pool.js";

interface HeartbeatRow {
  name: string;
  status: HeartbeatStatus;
  last_beat_at: Date | null;
  deadline_at: Date | null;
  missed_at: Date | null;
  beats: string;
}

/** A heartbeat's state as stored, with how many beats it has recorded. */
export interface StoredHeartbeat extends HeartbeatState {
  name: string;
  beats: number;
}

const toHeartbeat = (r: HeartbeatRow): StoredHeartbeat => ({
  name: r.name,
  status: r.status,
  lastBeatAt: r.last_beat_at,
  deadlineAt: r.deadline_at,
  missedAt: r.missed_at,
  beats: Number(r.beats),
});

/** The heartbeat's row (created waiting if new), locked for the caller's transaction. */
export async function lockHeartbeat(tx: Queryable, name: string): Promise<StoredHeartbeat> {
  await tx.query("INSERT INTO heartbeats (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", [name]);
  const res = await tx.query<HeartbeatRow>("SELECT * FROM heartbeats WHERE name = $1 FOR UPDATE", [name]);
  return toHeartbeat(res.rows[0]!);
}

/** Stores a heartbeat's new state; `beat` counts one more beat. */
export async function saveHeartbeat(
  tx: Queryable,
  name: string,
  s: HeartbeatState,
  opts: { beat: boolean },
): Promise<void> {
  await tx.query(
    `UPDATE heartbeats SET status = $2, last_beat_at = $3, deadline_at = $4, missed_at = $5,
            beats = beats + $6, updated_at = now() WHERE name = $1`,
    [name, s.status, s.lastBeatAt, s.deadlineAt, s.missedAt, opts.beat ? 1 : 0],
  );
}

/**
 * Beating heartbeats among `names` whose deadline has passed at `now`, locked (others
 * checking at once skip them), at most `limit`.
 */
export async function lockOverdueHeartbeats(
  tx: Queryable,
  names: readonly string[],
  now: Date,
  limit: number,
): Promise<StoredHeartbeat[]> {
  const res = await tx.query<HeartbeatRow>(
    `SELECT * FROM heartbeats WHERE status = 'up' AND deadline_at <= $2 AND name = ANY($1::text[])
      ORDER BY deadline_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [names, now, limit],
  );
  return res.rows.map(toHeartbeat);
}

/** Every heartbeat that has beat, by name (for the incident pages). */
export async function listHeartbeats(db: Queryable): Promise<StoredHeartbeat[]> {
  const res = await db.query<HeartbeatRow>("SELECT * FROM heartbeats ORDER BY name");
  return res.rows.map(toHeartbeat);
}
