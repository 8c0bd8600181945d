import type { Queryable } from "../pool.js";

/**
 * Claims the report of the week starting `weekStart` for this transaction: true for
 * exactly one caller, however many workers ask (the primary key decides). Queue the
 * report's message in the same transaction, so it exists exactly when the claim commits.
 */
export async function claimWeeklyReport(
  tx: Queryable,
  weekStart: string,
  channel: string,
  now: Date,
): Promise<boolean> {
  const res = await tx.query(
    "INSERT INTO weekly_reports (week_start, channel, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    [weekStart, channel, now],
  );
  return res.rowCount === 1;
}
