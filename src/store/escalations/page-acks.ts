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
 * Gives `userId`'s page `pageId` the first of `codes` that is free (never used, or its page
 * was answered or has expired at `now`) until `expiresAt`, with its link nonce, and returns
 * it; null when none of them is. One statement: the candidates are checked, the code claimed
 * and the page updated in one round trip, however many of a person's codes are taken. The
 * primary key on (person, code) decides between two pages made at once, without a lock on
 * the person: a new code is inserted with DO NOTHING, and a code is taken over with an UPDATE
 * that matches only a code still free, so no code another open page holds is ever locked and
 * transactions claiming codes cannot deadlock on them. Losing such a race claims nothing.
 */
export async function claimAckCode(
  tx: Queryable,
  c: { userId: string; codes: readonly string[]; pageId: number; nonce: string; expiresAt: Date; now: Date },
): Promise<string | null> {
  const free = (a: string) =>
    `(${a}.expires_at <= $5 OR EXISTS (SELECT 1 FROM pages p WHERE p.id = ${a}.page_id AND p.answered_at IS NOT NULL))`;
  // Each candidate is looked up by the primary key, in the order given, until one is free
  // (OFFSET 0 keeps the planner from joining all of a person's codes instead: thousands in a
  // storm paging one person). Were Postgres to scan the array out of order, the code taken
  // would still be free, only perhaps longer than it had to be.
  const res = await tx.query<{ ack_code: string }>(
    `WITH candidate AS (
       SELECT u.code, held.page_id IS NOT NULL AS take_over
         FROM unnest($2::text[]) AS u(code)
         LEFT JOIN LATERAL (SELECT a.page_id, a.expires_at FROM page_ack_codes a
                             WHERE a.user_id = $1 AND a.code = u.code OFFSET 0) held ON true
        WHERE held.page_id IS NULL OR ${free("held")}
        LIMIT 1),
     inserted AS (
       INSERT INTO page_ack_codes (user_id, code, page_id, expires_at)
       SELECT $1, code, $3, $4 FROM candidate WHERE NOT take_over
       ON CONFLICT (user_id, code) DO NOTHING RETURNING code),
     taken_over AS (
       UPDATE page_ack_codes a SET page_id = $3, expires_at = $4 FROM candidate
        WHERE candidate.take_over AND a.user_id = $1 AND a.code = candidate.code AND ${free("a")}
       RETURNING a.code),
     claimed AS (SELECT code FROM inserted UNION ALL SELECT code FROM taken_over)
     UPDATE pages SET ack_code = claimed.code, ack_nonce = $6, ack_expires_at = $4
       FROM claimed WHERE pages.id = $3
     RETURNING pages.ack_code`,
    [c.userId, c.codes, c.pageId, c.expiresAt, c.now, c.nonce],
  );
  return res.rows[0]?.ack_code ?? null;
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
