import type { Queryable } from "../store/pool.js";

/**
 * Locks the pending (not in-flight) outbox call with this coalesce key, if there is one:
 * held until the caller commits, the drainer (which skips locked calls) renders it after
 * the caller's change. `inFlight`: a call with the key is pending but being sent right now
 * (rendered before the change), so an enqueue with the key would be coalesced into it.
 */
export async function holdPendingCoalescedCall(
  tx: Queryable,
  coalesceKey: string,
): Promise<"held" | "in_flight" | "none"> {
  const held = await tx.query(
    "SELECT id FROM slack_outbox WHERE coalesce_key = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED",
    [coalesceKey],
  );
  if (held.rowCount) return "held";
  const pending = await tx.query(
    "SELECT 1 FROM slack_outbox WHERE coalesce_key = $1 AND status = 'pending'",
    [coalesceKey],
  );
  return pending.rowCount ? "in_flight" : "none";
}
