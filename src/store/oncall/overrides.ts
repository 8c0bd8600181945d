import type { Override } from "../../core/oncall/types.js";
import type { Queryable } from "../pool.js";

/** An override made with `/oncall override`, as stored. */
export interface StoredOverride extends Override {
  id: string;
  schedule: string;
  createdBy: string;
}

/** A row of `oncall_overrides`. */
export interface OverrideRow {
  id: string;
  schedule: string;
  user_id: string;
  starts_at: Date;
  ends_at: Date;
  created_by: string;
}

const toOverride = (r: OverrideRow): StoredOverride => ({
  id: String(r.id),
  schedule: r.schedule,
  user: r.user_id,
  from: r.starts_at,
  to: r.ends_at,
  createdBy: r.created_by,
});

export async function insertOverride(
  tx: Queryable,
  o: { schedule: string; userId: string; from: Date; to: Date; createdBy: string; now: Date },
): Promise<StoredOverride> {
  const res = await tx.query<OverrideRow>(
    `INSERT INTO oncall_overrides (schedule, user_id, starts_at, ends_at, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [o.schedule, o.userId, o.from, o.to, o.createdBy, o.now],
  );
  return toOverride(res.rows[0]!);
}

/** Marks an override removed; returns it, or null when there is no such current override. */
export async function removeOverride(
  tx: Queryable,
  id: string,
  by: string,
  now: Date,
): Promise<StoredOverride | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const res = await tx.query<OverrideRow>(
    `UPDATE oncall_overrides SET removed_at = $3, removed_by = $2
      WHERE id = $1 AND removed_at IS NULL RETURNING *`,
    [id, by, now],
  );
  return res.rows[0] ? toOverride(res.rows[0]) : null;
}

const CURRENT = (after: string) =>
  `SELECT * FROM oncall_overrides WHERE removed_at IS NULL AND ends_at > ${after} ORDER BY created_at, id`;

/** Overrides not removed that end after `after`, by schedule, oldest first. */
export async function currentOverrides(
  db: Queryable,
  after: Date,
): Promise<Record<string, StoredOverride[]>> {
  const res = await db.query<OverrideRow>(CURRENT("$1"), [after]);
  return bySchedule(res.rows);
}

/**
 * {@link currentOverrides}' statement with `after` written into it, to go with another in one
 * simple-protocol message (see `getEscalationWithOverrides`); read its rows with {@link bySchedule}.
 */
export function currentOverridesStatement(after: Date): string {
  // An ISO instant is digits, '-', ':', '.', 'T' and 'Z': nothing to escape.
  return CURRENT(`'${after.toISOString()}'::timestamptz`);
}

/** Override rows, by schedule, in the order read. */
export function bySchedule(rows: readonly OverrideRow[]): Record<string, StoredOverride[]> {
  const out: Record<string, StoredOverride[]> = {};
  for (const r of rows) (out[r.schedule] ??= []).push(toOverride(r));
  return out;
}
