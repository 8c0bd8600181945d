import type { Queryable } from "../pool.js";

/** A journaled Slack request. */
export interface InboundRequest {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  receivedAt: Date;
}

interface Row {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  received_at: Date;
}

const toRequest = (r: Row): InboundRequest => ({
  id: Number(r.id),
  kind: r.kind,
  payload: r.payload,
  attempts: r.attempts,
  receivedAt: r.received_at,
});

/**
 * Journals a request before it is acknowledged. A redelivery of the same payload finds
 * the row its first copy made, with that copy's status: `done` needs nothing more.
 */
export async function journalInbound(
  db: Queryable,
  entry: { key: string; kind: string; payload: unknown },
): Promise<{ id: number; status: "pending" | "done" | "failed" }> {
  const res = await db.query<{ id: string; status: "pending" | "done" | "failed" }>(
    `INSERT INTO inbound_journal (key, kind, payload) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id, status`,
    [entry.key, entry.kind, JSON.stringify(entry.payload)],
  );
  const row = res.rows[0]!;
  return { id: Number(row.id), status: row.status };
}

/** The request's work failed (it stays pending, for a redelivery or the replayer). */
export async function noteInboundError(db: Queryable, id: number, error: string): Promise<void> {
  await db.query("UPDATE inbound_journal SET error = $2 WHERE id = $1 AND status = 'pending'", [
    id,
    error.slice(0, 500),
  ]);
}

/** The request's work is done (or refused: either way, nothing is left to do). */
export async function finishInbound(
  db: Queryable,
  id: number,
  outcome: { status: "done" } | { status: "failed"; error: string },
): Promise<void> {
  await db.query(
    `UPDATE inbound_journal SET status = $2, finished_at = now(), leased_until = NULL,
            error = $3 WHERE id = $1 AND status = 'pending'`,
    [id, outcome.status, outcome.status === "failed" ? outcome.error.slice(0, 500) : null],
  );
}

/**
 * Takes up to `limit` requests left pending for longer than `olderThanMs` (their work
 * failed after the ack, or their process died), leasing each for `leaseMs` so that two
 * replicas do not replay the same one at once.
 */
export async function claimPendingInbound(
  db: Queryable,
  o: { olderThanMs: number; leaseMs: number; limit: number },
): Promise<InboundRequest[]> {
  const res = await db.query<Row>(
    `UPDATE inbound_journal j
        SET attempts = j.attempts + 1, leased_until = now() + make_interval(secs => $2 / 1000.0)
      WHERE j.id IN (SELECT id FROM inbound_journal
                      WHERE status = 'pending'
                        AND received_at < now() - make_interval(secs => $1 / 1000.0)
                        AND (leased_until IS NULL OR leased_until < now())
                      ORDER BY received_at LIMIT $3
                      FOR UPDATE SKIP LOCKED)
      RETURNING j.id, j.kind, j.payload, j.attempts, j.received_at`,
    [o.olderThanMs, o.leaseMs, o.limit],
  );
  return res.rows.map(toRequest);
}

/** Forgets finished requests older than `keepMs` (the journal is not the record: the timeline is). */
export async function purgeFinishedInbound(db: Queryable, keepMs: number): Promise<number> {
  const res = await db.query(
    `DELETE FROM inbound_journal WHERE status <> 'pending'
        AND finished_at < now() - make_interval(secs => $1 / 1000.0)`,
    [keepMs],
  );
  return res.rowCount ?? 0;
}
