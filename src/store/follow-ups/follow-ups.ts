import type { Queryable } from "../pool.js";

/** A follow-up of an incident: something to do after it, tickable in Slack and on the page. */
export interface FollowUp {
  id: number;
  incidentId: number;
  /** 1, 2, … within the incident: what people see and type. */
  number: number;
  text: string;
  createdBy: string;
  createdAt: Date;
  doneBy: string | null;
  doneAt: Date | null;
  channelId: string | null;
  messageTs: string | null;
}

interface Row {
  id: string;
  incident_id: string;
  number: number;
  text: string;
  created_by: string;
  created_at: Date;
  done_by: string | null;
  done_at: Date | null;
  channel_id: string | null;
  message_ts: string | null;
}

const toFollowUp = (r: Row): FollowUp => ({
  id: Number(r.id),
  incidentId: Number(r.incident_id),
  number: r.number,
  text: r.text,
  createdBy: r.created_by,
  createdAt: r.created_at,
  doneBy: r.done_by,
  doneAt: r.done_at,
  channelId: r.channel_id,
  messageTs: r.message_ts,
});

/** Adds a follow-up with the incident's next number. Hold the incident's row lock: numbers are per incident. */
export async function insertFollowUp(
  tx: Queryable,
  f: { incidentId: number; text: string; createdBy: string; createdAt: Date },
): Promise<FollowUp> {
  const res = await tx.query<Row>(
    `INSERT INTO follow_ups (incident_id, number, text, created_by, created_at)
     SELECT $1, COALESCE(max(number), 0) + 1, $2, $3, $4 FROM follow_ups WHERE incident_id = $1
     RETURNING *`,
    [f.incidentId, f.text, f.createdBy, f.createdAt],
  );
  return toFollowUp(res.rows[0]!);
}

/** An incident's follow-ups in the order they were added. */
export async function listFollowUps(db: Queryable, incidentId: number): Promise<FollowUp[]> {
  const res = await db.query<Row>("SELECT * FROM follow_ups WHERE incident_id = $1 ORDER BY number", [
    incidentId,
  ]);
  return res.rows.map(toFollowUp);
}

/** One follow-up, row-locked for the rest of the transaction. */
export async function lockFollowUp(
  tx: Queryable,
  incidentId: number,
  number: number,
): Promise<FollowUp | null> {
  const res = await tx.query<Row>(
    "SELECT * FROM follow_ups WHERE incident_id = $1 AND number = $2 FOR UPDATE",
    [incidentId, number],
  );
  return res.rows[0] ? toFollowUp(res.rows[0]) : null;
}

/** Ticks a follow-up off (by, at) or opens it again (null). */
export async function setFollowUpDone(
  tx: Queryable,
  id: number,
  done: { by: string; at: Date } | null,
): Promise<FollowUp> {
  const res = await tx.query<Row>(
    "UPDATE follow_ups SET done_by = $2, done_at = $3 WHERE id = $1 RETURNING *",
    [id, done?.by ?? null, done?.at ?? null],
  );
  return toFollowUp(res.rows[0]!);
}

/** Remembers the Slack message showing the follow-up, to edit it when it is ticked. */
export async function setFollowUpMessage(
  tx: Queryable,
  id: number,
  channelId: string,
  ts: string,
): Promise<void> {
  await tx.query("UPDATE follow_ups SET channel_id = $2, message_ts = $3 WHERE id = $1", [id, channelId, ts]);
}

/** Follow-ups still open across incidents: how many, and the oldest `limit` of them. */
export async function openFollowUps(
  db: Queryable,
  limit: number,
): Promise<{ total: number; oldest: (FollowUp & { incidentTitle: string })[] }> {
  const [count, rows] = await Promise.all([
    db.query<{ n: string }>("SELECT count(*) AS n FROM follow_ups WHERE done_at IS NULL"),
    db.query<Row & { title: string }>(
      `SELECT f.*, i.title FROM follow_ups f JOIN incidents i ON i.id = f.incident_id
        WHERE f.done_at IS NULL ORDER BY f.created_at, f.id LIMIT $1`,
      [limit],
    ),
  ]);
  return {
    total: Number(count.rows[0]?.n ?? 0),
    oldest: rows.rows.map((r) => ({ ...toFollowUp(r), incidentTitle: r.title })),
  };
}

/** One follow-up by its id. */
export async function getFollowUp(db: Queryable, id: number): Promise<FollowUp | null> {
  const res = await db.query<Row>("SELECT * FROM follow_ups WHERE id = $1", [id]);
  return res.rows[0] ? toFollowUp(res.rows[0]) : null;
}
