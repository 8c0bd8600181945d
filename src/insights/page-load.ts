import type pg from "pg";
import type { InsightsFilter } from "../core/insights/filter.js";
import type { PageLoadFigures } from "../core/insights/figures.js";
import { canonicalTimeZone } from "../core/oncall/zoned-time.js";
import type { PeopleDirectory, Person } from "../core/ports.js";
import { pageLoad, pagedUsers } from "../store/insights/page-load.js";

/**
 * Pages per person in the filter's range, night pages judged on each person's own clock:
 * who was paged, their time zones from the people directory, then the aggregate.
 */
export async function loadPageLoad(
  deps: { pool: pg.Pool; people: PeopleDirectory },
  filter: InsightsFilter,
): Promise<{ load: PageLoadFigures[]; people: ReadonlyMap<string, Person> }> {
  const users = await pagedUsers(deps.pool, filter);
  const people = await deps.people.lookup(users);
  const zones = new Map<string, string>();
  for (const id of users) {
    const zone = people.get(id)?.timeZone;
    const canonical = zone ? canonicalTimeZone(zone) : undefined;
    if (canonical) zones.set(id, canonical);
  }
  return { load: await pageLoad(deps.pool, filter, zones), people };
}
