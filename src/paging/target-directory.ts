import { createTargetResolver } from "../core/oncall/target-resolver.js";
import type { PolicySnapshot, ResolveTargets } from "../core/oncall/types.js";
import type { Queryable } from "../store/pool.js";
import type { PagingContext } from "./context.js";
import { currentOverrides } from "../store/oncall/overrides.js";

/** The usergroup ids a policy names. */
export function usergroupsOf(snapshot: PolicySnapshot): string[] {
  return [
    ...new Set(
      snapshot.steps.flatMap((s) => s.notify.flatMap((t) => (t.kind === "usergroup" ? [t.usergroupId] : []))),
    ),
  ];
}

/**
 * The resolver the engine decides with: config schedules (with their config overrides),
 * overrides made in Slack from Postgres, and the members of the usergroups `snapshot` names.
 */
export async function loadTargetResolver(
  ctx: Pick<PagingContext, "config" | "usergroups">,
  db: Queryable,
  snapshot: PolicySnapshot | null,
  now: Date,
): Promise<ResolveTargets> {
  const overrides = await currentOverrides(db, new Date(now.getTime() - 86_400_000));
  const groups = snapshot ? usergroupsOf(snapshot) : [];
  let usergroupMembers: Record<string, string[]> = {};
  if (groups.length) {
    const read = await ctx.usergroups.load(groups);
    // A group never read cannot be paged correctly: fail, and the timer retries it.
    if (read.unreadable.length)
      throw new Error(`cannot read the members of user group(s) ${read.unreadable.join(", ")} from Slack`);
    usergroupMembers = read.members;
  }
  return createTargetResolver({ schedules: ctx.config.paging.schedules, overrides, usergroupMembers });
}
