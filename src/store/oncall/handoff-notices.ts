import type { Queryable } from "../pool.js";

/** Claims the notice for one shift; false when it was already sent (the key is schedule, person, start). */
export async function claimHandoffNotice(
  tx: Queryable,
  n: { schedule: string; userId: string; start: Date; end: Date; now: Date },
): Promise<boolean> {
  const res = await tx.query(
    `INSERT INTO handoff_notices (schedule, user_id, shift_start, shift_end, sent_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [n.schedule, n.userId, n.start, n.end, n.now],
  );
  return (res.rowCount ?? 0) > 0;
}
