import type { Queryable } from "../pool.js";

/** A page as its acknowledgement sees it: who, which incident, its code and link nonce, and its answer. */
export interface PageAck {
  pageId: number;
  incidentId: number;
  userId: string;
  reason: "escalation" | "adhoc";
  run: number;
  step: number;
  repeat: number;
  pagedBy: string;
  ackCode: string | null;
  ackNonce: string | null;
  ackExpiresAt: Date | null;
  answeredAt: Date | null;
  answeredVia: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  incident_id: string;
  user_id: string;
  reason: PageAck["reason"];
  run: number;
  step: number;
  repeat: number;
  paged_by: string;
  ack_code: string | null;
  ack_nonce: string | null;
  ack_expires_at: Date | null;
  answered_at: Date | null;
  answered_via: string | null;
  created_at: Date;
}

const toAck = (r: Row): PageAck => ({
  pageId: Number(r.id),
  incidentId: Number(r.incident_id),
  userId: r.user_id,
  reason: r.reason,
  run: r.run,
  step: r.step,
  repeat: r.repeat,
  pagedBy: r.paged_by,
  ackCode: r.ack_code,
  ackNonce: r.ack_nonce,
  ackExpiresAt: r.ack_expires_at,
  answeredAt: r.answered_at,
  answeredVia: r.answered_via,
  createdAt: r.created_at,
});

const COLUMNS =
  "id, incident_id, user_id, reason, run, step, repeat, paged_by, ack_code, ack_nonce, ack_expires_at, answered_at, answered_via, created_at";
/** {@link COLUMNS} of `pages p` in a join. */
const PAGE_COLUMNS = COLUMNS.split(", ")
  .map((c) => `p.${c}`)
  .join(", ");

/**
 * Claims `code` for `userId`'s page `pageId` until `expiresAt`: true when the code is free
 * (never used, or its page was answered or has expired at `now`). The primary key on
 * (person, code) decides between two pages made at once, without a lock on the person; a
 * code another open page holds is not locked (DO NOTHING, and an UPDATE that matches only
 * a code free to take over), so transactions trying several codes cannot deadlock on them.
 */
export async function claimAckCode(
  tx: Queryable,
  c: { userId: string; code: string; pageId: number; expiresAt: Date; now: Date },
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO page_ack_codes (user_id, code, page_id, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, code) DO NOTHING`,
    [c.userId, c.code, c.pageId, c.expiresAt],
  );
  if ((inserted.rowCount ?? 0) > 0) return true;
  const taken = await tx.query(
    `UPDATE page_ack_codes a SET page_id = $3, expires_at = $4
      WHERE a.user_id = $1 AND a.code = $2
        AND (a.expires_at <= $5
             OR EXISTS (SELECT 1 FROM pages p WHERE p.id = a.page_id AND p.answered_at IS NOT NULL))`,
    [c.userId, c.code, c.pageId, c.expiresAt, c.now],
  );
  return (taken.rowCount ?? 0) > 0;
}

/** Gives a page its ack code and link nonce, valid until `expiresAt`. */
export async function setPageAck(
  tx: Queryable,
  pageId: number,
  a: { code: string; nonce: string; expiresAt: Date },
): Promise<void> {
  await tx.query("UPDATE pages SET ack_code = $2, ack_nonce = $3, ack_expires_at = $4 WHERE id = $1", [
    pageId,
    a.code,
    a.nonce,
    a.expiresAt,
  ]);
}

export async function getPageAck(db: Queryable, pageId: number): Promise<PageAck | null> {
  const res = await db.query<Row>(`SELECT ${COLUMNS} FROM pages WHERE id = $1`, [pageId]);
  return res.rows[0] ? toAck(res.rows[0]) : null;
}

export async function getPageAcks(db: Queryable, pageIds: readonly number[]): Promise<PageAck[]> {
  const res = await db.query<Row>(`SELECT ${COLUMNS} FROM pages WHERE id = ANY($1::bigint[]) ORDER BY id`, [
    pageIds,
  ]);
  return res.rows.map(toAck);
}

/** The open page (not expired) of one of `userIds` with ack code `code`: the newest, if several. */
export async function findPageByCode(
  db: Queryable,
  o: { userIds: readonly string[]; code: string; now: Date },
): Promise<PageAck | null> {
  const res = await db.query<Row>(
    `SELECT ${PAGE_COLUMNS}
       FROM page_ack_codes c JOIN pages p ON p.id = c.page_id
      WHERE c.user_id = ANY($1::text[]) AND c.code = $2 AND c.expires_at > $3
      ORDER BY p.id DESC LIMIT 1`,
    [o.userIds, o.code, o.now],
  );
  return res.rows[0] ? toAck(res.rows[0]) : null;
}

/** Records the answer to pages not answered yet (an answered page keeps its first answer). */
export async function answerPages(
  tx: Queryable,
  pageIds: readonly number[],
  o: { via: string; now: Date },
): Promise<PageAck[]> {
  const res = await tx.query<Row>(
    `UPDATE pages SET answered_at = $2, answered_via = $3
      WHERE id = ANY($1::bigint[]) AND answered_at IS NULL
      RETURNING ${COLUMNS}`,
    [pageIds, o.now, o.via],
  );
  return res.rows.map(toAck);
}

/**
 * Locks the pages of `pageIds` not answered yet (with `nonce`, only the page whose link
 * carries it), for the caller's transaction: the one answer a page gets is decided under it.
 */
export async function lockUnansweredPages(
  tx: Queryable,
  pageIds: readonly number[],
  nonce?: string,
): Promise<PageAck[]> {
  const res = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM pages
      WHERE id = ANY($1::bigint[]) AND answered_at IS NULL AND ($2::text IS NULL OR ack_nonce = $2)
      ORDER BY id FOR UPDATE`,
    [pageIds, nonce ?? null],
  );
  return res.rows.map(toAck);
}
