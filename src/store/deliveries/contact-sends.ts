import type { ContactMethodType } from "../../core/notify/contact-methods.js";
import type { Queryable } from "../pool.js";

/** When the last message of `type` went to `target` (the per-number rate limit), or null. */
export async function lastSentAt(
  db: Queryable,
  type: ContactMethodType,
  target: string,
): Promise<Date | null> {
  const res = await db.query<{ last_sent_at: Date }>(
    "SELECT last_sent_at FROM contact_sends WHERE method_type = $1 AND target = $2",
    [type, target],
  );
  return res.rows[0]?.last_sent_at ?? null;
}

/** Records that a message of `type` went to `target` at `at`. */
export async function recordSent(
  tx: Queryable,
  type: ContactMethodType,
  target: string,
  at: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO contact_sends (method_type, target, last_sent_at) VALUES ($1, $2, $3)
     ON CONFLICT (method_type, target) DO UPDATE SET last_sent_at = GREATEST(contact_sends.last_sent_at, EXCLUDED.last_sent_at)`,
    [type, target, at],
  );
}
