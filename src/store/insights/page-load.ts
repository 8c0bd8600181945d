import type { InsightsFilter } from "../../core/insights/filter.js";
import { NIGHT } from "../../core/insights/figures.js";
import type { PageLoadFigures } from "../../core/insights/figures.js";
import type { Queryable } from "../pool.js";
import { Params, incidentConditions, num } from "./conditions.js";

/** The most people the on-call load lists. */
export const MAX_PEOPLE = 50;

/** Everyone paged in the range (for incidents the filter keeps), to look up their time zones. */
export async function pagedUsers(db: Queryable, f: InsightsFilter): Promise<string[]> {
  const p = new Params();
  const res = await db.query<{ user_id: string }>(
    `SELECT DISTINCT p.user_id FROM pages p JOIN incidents i ON i.id = p.incident_id
      WHERE p.created_at >= ${p.add(f.from)} AND p.created_at < ${p.add(f.to)} AND ${incidentConditions(f, p)}`,
    p.values,
  );
  return res.rows.map((r) => r.user_id).sort();
}

/**
 * Pages per person in the range, and those at night (22:00–07:00) on the person's own
 * clock: `zones` maps user ids to IANA zones; anyone else is judged in `f.timeZone`.
 */
export async function pageLoad(
  db: Queryable,
  f: InsightsFilter,
  zones: ReadonlyMap<string, string>,
): Promise<PageLoadFigures[]> {
  const p = new Params();
  const users = p.add([...zones.keys()]);
  const names = p.add([...zones.values()]);
  const fallback = p.add(f.timeZone);
  const hour = `EXTRACT(HOUR FROM p.created_at AT TIME ZONE COALESCE(z.zone, ${fallback}))`;
  const res = await db.query<{ user_id: string; zone: string; pages: string; night: string }>(
    `WITH zones AS (SELECT * FROM unnest(${users}::text[], ${names}::text[]) AS z(user_id, zone))
     SELECT p.user_id, COALESCE(min(z.zone), ${fallback}) AS zone, count(*) AS pages,
            count(*) FILTER (WHERE ${hour} >= ${p.add(NIGHT.startHour)} OR ${hour} < ${p.add(NIGHT.endHour)}) AS night
       FROM pages p JOIN incidents i ON i.id = p.incident_id LEFT JOIN zones z ON z.user_id = p.user_id
      WHERE p.created_at >= ${p.add(f.from)} AND p.created_at < ${p.add(f.to)} AND ${incidentConditions(f, p)}
      GROUP BY p.user_id ORDER BY pages DESC, p.user_id LIMIT ${MAX_PEOPLE}`,
    p.values,
  );
  return res.rows.map((r) => ({
    userId: r.user_id,
    pages: num(r.pages),
    nightPages: num(r.night),
    timeZone: r.zone,
  }));
}
