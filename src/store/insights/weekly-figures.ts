import type { PostmortemDue, ResponseMeans } from "../../core/insights/weekly-report.js";
import type { Queryable } from "../pool.js";

/** Mean time to acknowledge and to resolve (ms) of the incidents declared in [from, to). */
export async function responseMeans(db: Queryable, range: { from: Date; to: Date }): Promise<ResponseMeans> {
  const res = await db.query<{ incidents: string; mtta: number | null; mttr: number | null }>(
    `SELECT count(*) AS incidents,
            avg(EXTRACT(EPOCH FROM acknowledged_at - declared_at) * 1000) AS mtta,
            avg(EXTRACT(EPOCH FROM resolved_at - declared_at) * 1000) FILTER (WHERE state = 'resolved') AS mttr
       FROM incidents WHERE declared_at >= $1 AND declared_at < $2`,
    [range.from, range.to],
  );
  const r = res.rows[0]!;
  const ms = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));
  return { incidents: Number(r.incidents), mttaMs: ms(r.mtta), mttrMs: ms(r.mttr) };
}

/**
 * Resolved incidents whose postmortem is still due: a checklist item about the postmortem
 * ("Write the postmortem") not ticked. How many, and the oldest `limit`.
 */
export async function postmortemsDue(
  db: Queryable,
  limit: number,
): Promise<{ total: number; oldest: PostmortemDue[] }> {
  const due = `state = 'resolved' AND EXISTS (
      SELECT 1 FROM jsonb_array_elements(checklist) c
       WHERE c->>'text' ~* 'post-?mortem' AND NOT (c ? 'doneBy'))`;
  const [count, rows] = await Promise.all([
    db.query<{ n: string }>(`SELECT count(*) AS n FROM incidents WHERE ${due}`),
    db.query<{ id: string; title: string; resolved_at: Date }>(
      `SELECT id, title, resolved_at FROM incidents WHERE ${due} ORDER BY resolved_at, id LIMIT $1`,
      [limit],
    ),
  ]);
  return {
    total: Number(count.rows[0]?.n ?? 0),
    oldest: rows.rows.map((r) => ({ incidentId: Number(r.id), title: r.title, resolvedAt: r.resolved_at })),
  };
}
