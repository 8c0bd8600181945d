import type { Queryable } from "../pool.js";

/** The install's key that signs ack links and calendar feeds (made by migration 0010). */
export async function getSigningKey(db: Queryable, name = "links"): Promise<Buffer> {
  const res = await db.query<{ secret: Buffer }>("SELECT secret FROM signing_keys WHERE name = $1", [name]);
  const key = res.rows[0]?.secret;
  if (!key) throw new Error(`no signing key "${name}": run the migrations`);
  return key;
}

/**
 * Remembers a signed inbound request by the SHA-256 of its signature; false when it was
 * seen before (a replay). In the caller's transaction, so a request whose effect rolls back
 * is not remembered either.
 */
export async function rememberSignedRequest(
  tx: Queryable,
  signatureSha256: string,
  now: Date,
): Promise<boolean> {
  const res = await tx.query(
    `INSERT INTO twilio_requests_seen (signature_sha256, seen_at) VALUES ($1, $2)
     ON CONFLICT (signature_sha256) DO NOTHING`,
    [signatureSha256, now],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Forgets signatures older than `before` (a replay that late fails the link or code expiry anyway). */
export async function forgetSignedRequests(db: Queryable, before: Date): Promise<number> {
  const res = await db.query("DELETE FROM twilio_requests_seen WHERE seen_at < $1", [before]);
  return res.rowCount ?? 0;
}

/** Whether a signed inbound request with this signature was acted on before. */
export async function signedRequestSeen(db: Queryable, signatureSha256: string): Promise<boolean> {
  const res = await db.query("SELECT 1 FROM twilio_requests_seen WHERE signature_sha256 = $1", [
    signatureSha256,
  ]);
  return (res.rowCount ?? 0) > 0;
}
