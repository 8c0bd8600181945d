import type { MaintenanceWindow } from "../../core/alerts/maintenance.js";
import { parseMatchers } from "../../core/alerts/matcher-syntax.js";
import type { AlertStatus, LabelSet } from "../../core/alerts/types.js";
import type { Queryable } from "../pool.js";

/** A maintenance window as stored: the domain's window plus its record and announcement. */
export interface StoredWindow extends MaintenanceWindow {
  /** The matchers as Alertmanager writes them. */
  matchersText: string;
  endedBy: string | null;
  releasedAt: Date | null;
  announceChannel: string | null;
  announceTs: string | null;
}

interface WindowRow {
  id: string;
  matchers: string;
  reason: string;
  created_by: string;
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  released_at: Date | null;
  announce_channel: string | null;
  announce_ts: string | null;
}

const toWindow = (r: WindowRow): StoredWindow => ({
  id: Number(r.id),
  // Written by formatMatchers when the window was opened, so it parses.
  matchers: parseMatchers(r.matchers),
  matchersText: r.matchers,
  reason: r.reason,
  createdBy: r.created_by,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  endedAt: r.ended_at,
  endedBy: r.ended_by,
  releasedAt: r.released_at,
  announceChannel: r.announce_channel,
  announceTs: r.announce_ts,
});

// When a window stops holding alerts back: its end, or when it was ended early.
const END = "LEAST(ends_at, COALESCE(ended_at, ends_at))";

export async function insertWindow(
  tx: Queryable,
  w: {
    matchers: string;
    reason: string;
    createdBy: string;
    startsAt: Date;
    endsAt: Date;
    announceChannel: string | null;
  },
): Promise<StoredWindow> {
  const res = await tx.query<WindowRow>(
    `INSERT INTO maintenance_windows (matchers, reason, created_by, starts_at, ends_at, announce_channel)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [w.matchers, w.reason, w.createdBy, w.startsAt, w.endsAt, w.announceChannel],
  );
  return toWindow(res.rows[0]!);
}

export async function getWindow(db: Queryable, id: number): Promise<StoredWindow | null> {
  const res = await db.query<WindowRow>("SELECT * FROM maintenance_windows WHERE id = $1", [id]);
  return res.rows[0] ? toWindow(res.rows[0]) : null;
}

/** Reads and row-locks a window: ending and releasing it are serial. */
export async function lockWindow(tx: Queryable, id: number): Promise<StoredWindow | null> {
  const res = await tx.query<WindowRow>("SELECT * FROM maintenance_windows WHERE id = $1 FOR UPDATE", [id]);
  return res.rows[0] ? toWindow(res.rows[0]) : null;
}

/** Windows holding alerts back at `now`, oldest first. */
export async function listActiveWindows(db: Queryable, now: Date): Promise<StoredWindow[]> {
  const res = await db.query<WindowRow>(
    `SELECT * FROM maintenance_windows WHERE starts_at <= $1 AND ${END} > $1 ORDER BY id`,
    [now],
  );
  return res.rows.map(toWindow);
}

/** Windows active or still to come at `now`, and those that ended since `since`, newest first. */
export async function listRecentWindows(
  db: Queryable,
  opts: { now: Date; since: Date; limit: number },
): Promise<StoredWindow[]> {
  const res = await db.query<WindowRow>(
    `SELECT * FROM maintenance_windows WHERE ${END} > $1 OR ${END} > $2 ORDER BY id DESC LIMIT $3`,
    [opts.now, opts.since, opts.limit],
  );
  return res.rows.map(toWindow);
}

/** Ends a window early (only one still active); false when it had ended already. */
export async function endWindow(tx: Queryable, id: number, by: string, at: Date): Promise<boolean> {
  const res = await tx.query(
    `UPDATE maintenance_windows SET ended_at = $3, ended_by = $2 WHERE id = $1 AND ${END} > $3`,
    [id, by, at],
  );
  return res.rowCount === 1;
}

/** Windows that have ended and whose held-back groups were not let go yet. */
export async function listWindowsToRelease(db: Queryable, now: Date, limit: number): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    `SELECT id FROM maintenance_windows WHERE released_at IS NULL AND ${END} <= $1 ORDER BY id LIMIT $2`,
    [now, limit],
  );
  return res.rows.map((r) => Number(r.id));
}

export async function markWindowReleased(tx: Queryable, id: number, at: Date): Promise<void> {
  await tx.query("UPDATE maintenance_windows SET released_at = $2 WHERE id = $1 AND released_at IS NULL", [
    id,
    at,
  ]);
}

export async function setWindowAnnouncement(tx: Queryable, id: number, ts: string): Promise<void> {
  await tx.query("UPDATE maintenance_windows SET announce_ts = $2 WHERE id = $1", [id, ts]);
}

/** A group a window holds back, with its alert counts, for its announcement. */
export interface HeldGroup {
  groupId: number;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  source: string;
  status: AlertStatus;
  firing: number;
}

/** The groups a window holds back (firing first), at most `limit`, and how many in all. */
export async function listHeldGroups(
  db: Queryable,
  windowId: number,
  limit: number,
): Promise<{ groups: HeldGroup[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.query<{
      id: string;
      group_labels: LabelSet;
      common_labels: LabelSet;
      source: string;
      status: AlertStatus;
      firing: string;
    }>(
      `SELECT g.id, g.group_labels, g.common_labels, g.source, g.status,
              count(a.*) FILTER (WHERE a.status = 'firing') AS firing
         FROM alert_groups g LEFT JOIN alert_states a ON a.group_id = g.id
        WHERE g.held_by_window = $1
        GROUP BY g.id ORDER BY g.status = 'firing' DESC, g.id LIMIT $2`,
      [windowId, limit],
    ),
    db.query<{ n: string }>("SELECT count(*) AS n FROM alert_groups WHERE held_by_window = $1", [windowId]),
  ]);
  return {
    groups: rows.rows.map((r) => ({
      groupId: Number(r.id),
      groupLabels: r.group_labels,
      commonLabels: r.common_labels,
      source: r.source,
      status: r.status,
      firing: Number(r.firing),
    })),
    total: Number(total.rows[0]!.n),
  };
}

/** Ids of the groups a window holds back. */
export async function listHeldGroupIds(db: Queryable, windowId: number): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    "SELECT id FROM alert_groups WHERE held_by_window = $1 ORDER BY id",
    [windowId],
  );
  return res.rows.map((r) => Number(r.id));
}
