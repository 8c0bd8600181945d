import type { StoredPreferences } from "../../core/notify/contact-methods.js";
import type { Queryable } from "../pool.js";

type SelfServiceType = "email" | "sms" | "voice" | "ntfy";

/** A row of {@link loadPreferences}' one query: a method (`m`), a rule (`r`) or a setting (`s`). */
interface PreferenceRow {
  k: "m" | "r" | "s";
  user_id: string;
  method_id: string | null;
  type: SelfServiceType | null;
  target: string | null;
  verified: boolean | null;
  after_ms: number | null;
  handoff: boolean | null;
}

/** What each of `userIds` set with `/oncall me`: methods (verified or not), rules, handoff choice. */
export async function loadPreferences(
  db: Queryable,
  userIds: readonly string[],
): Promise<Map<string, StoredPreferences>> {
  const out = new Map<string, StoredPreferences>();
  if (userIds.length === 0) return out;
  const of = (userId: string) => {
    let p = out.get(userId);
    if (!p) {
      p = { methods: [], rules: [] };
      out.set(userId, p);
    }
    return p;
  };
  // One round trip for the three tables (this runs for every page a burst sends): one row
  // per method, rule and setting, told apart by `k`, each kind in its own order.
  const res = await db.query<PreferenceRow>(
    `SELECT 'm' AS k, user_id, method_id, type, target, verified_at IS NOT NULL AS verified,
            NULL::integer AS after_ms, NULL::boolean AS handoff, id AS sort_id, NULL::timestamptz AS sort_at
       FROM contact_methods WHERE user_id = ANY($1::text[]) AND removed_at IS NULL
     UNION ALL
     SELECT 'r', user_id, method_id, NULL, NULL, NULL, after_ms, NULL, NULL, updated_at
       FROM notification_rules WHERE user_id = ANY($1::text[])
     UNION ALL
     SELECT 's', user_id, NULL, NULL, NULL, NULL, NULL, handoff_first_method, NULL, NULL
       FROM person_settings WHERE user_id = ANY($1::text[])
     ORDER BY k, sort_id, sort_at, method_id`,
    [userIds],
  );
  for (const r of res.rows) {
    if (r.k === "m")
      of(r.user_id).methods.push({
        id: r.method_id!,
        type: r.type!,
        target: r.target!,
        source: "slack",
        verified: r.verified === true,
      });
    else if (r.k === "r") of(r.user_id).rules.push({ methodId: r.method_id!, afterMs: r.after_ms });
    else of(r.user_id).handoffFirstMethod = r.handoff === true;
  }
  return out;
}

/** People whose verified SMS or voice method added in Slack has `number`. */
export async function usersWithNumber(db: Queryable, number: string): Promise<string[]> {
  const res = await db.query<{ user_id: string }>(
    `SELECT DISTINCT user_id FROM contact_methods
      WHERE target = $1 AND type IN ('sms', 'voice') AND verified_at IS NOT NULL AND removed_at IS NULL`,
    [number],
  );
  return res.rows.map((r) => r.user_id);
}

/** Adds an unverified method; returns its row id. */
export async function insertContactMethod(
  tx: Queryable,
  m: { userId: string; methodId: string; type: SelfServiceType; target: string; now: Date },
): Promise<number> {
  const res = await tx.query<{ id: string }>(
    `INSERT INTO contact_methods (user_id, method_id, type, target, created_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING id`,
    [m.userId, m.methodId, m.type, m.target, m.now],
  );
  return Number(res.rows[0]!.id);
}

/** Stores (or replaces) the code sent to a method being verified, as a keyed hash. */
export async function setVerification(
  tx: Queryable,
  v: { contactMethodId: number; codeHash: string; now: Date; expiresAt: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO contact_verifications (contact_method_id, code_hash, sent_at, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (contact_method_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, attempts = 0,
       sent_at = EXCLUDED.sent_at, expires_at = EXCLUDED.expires_at`,
    [v.contactMethodId, v.codeHash, v.now, v.expiresAt],
  );
}

/** A method waiting for its code. */
export interface PendingVerification {
  contactMethodId: number;
  methodId: string;
  type: SelfServiceType;
  target: string;
  codeHash: string;
  attempts: number;
  sentAt: Date;
  expiresAt: Date;
}

/** `userId`'s methods waiting for a code, newest first, locked for the caller's transaction. */
export async function lockPendingVerifications(
  tx: Queryable,
  userId: string,
): Promise<PendingVerification[]> {
  const res = await tx.query<{
    id: string;
    method_id: string;
    type: SelfServiceType;
    target: string;
    code_hash: string;
    attempts: number;
    sent_at: Date;
    expires_at: Date;
  }>(
    `SELECT m.id, m.method_id, m.type, m.target, v.code_hash, v.attempts, v.sent_at, v.expires_at
       FROM contact_methods m JOIN contact_verifications v ON v.contact_method_id = m.id
      WHERE m.user_id = $1 AND m.removed_at IS NULL AND m.verified_at IS NULL
      ORDER BY v.sent_at DESC FOR UPDATE OF v`,
    [userId],
  );
  return res.rows.map((r) => ({
    contactMethodId: Number(r.id),
    methodId: r.method_id,
    type: r.type,
    target: r.target,
    codeHash: r.code_hash,
    attempts: r.attempts,
    sentAt: r.sent_at,
    expiresAt: r.expires_at,
  }));
}

export async function countVerifyAttempt(tx: Queryable, contactMethodId: number): Promise<void> {
  await tx.query("UPDATE contact_verifications SET attempts = attempts + 1 WHERE contact_method_id = $1", [
    contactMethodId,
  ]);
}

export async function markVerified(tx: Queryable, contactMethodId: number, now: Date): Promise<void> {
  await tx.query("UPDATE contact_methods SET verified_at = $2 WHERE id = $1", [contactMethodId, now]);
  await tx.query("DELETE FROM contact_verifications WHERE contact_method_id = $1", [contactMethodId]);
}

/** Removes `userId`'s method added in Slack; returns its type, or null when there is none. */
export async function removeContactMethod(
  tx: Queryable,
  userId: string,
  methodId: string,
  now: Date,
): Promise<{ type: SelfServiceType } | null> {
  const res = await tx.query<{ type: SelfServiceType }>(
    `UPDATE contact_methods SET removed_at = $3 WHERE user_id = $1 AND method_id = $2 AND removed_at IS NULL
     RETURNING type`,
    [userId, methodId, now],
  );
  await tx.query("DELETE FROM notification_rules WHERE user_id = $1 AND method_id = $2", [userId, methodId]);
  return res.rows[0] ?? null;
}

/** Sets `userId`'s rule for a method (`afterMs: null`: off). */
export async function setRule(
  tx: Queryable,
  r: { userId: string; methodId: string; afterMs: number | null; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO notification_rules (user_id, method_id, after_ms, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, method_id) DO UPDATE SET after_ms = EXCLUDED.after_ms, updated_at = EXCLUDED.updated_at`,
    [r.userId, r.methodId, r.afterMs, r.now],
  );
}

export async function setHandoffChoice(
  tx: Queryable,
  o: { userId: string; firstMethod: boolean; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO person_settings (user_id, handoff_first_method, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET handoff_first_method = EXCLUDED.handoff_first_method, updated_at = EXCLUDED.updated_at`,
    [o.userId, o.firstMethod, o.now],
  );
}
