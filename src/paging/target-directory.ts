import { createTargetResolver } from "../core/oncall/target-resolver.js";
import type { PolicySnapshot, ResolveTargets } from "../core/oncall/types.js";
import type { Queryable } from "../store/pool.js";
import type { PagingContext } from "./context.js";
import { getEscalationWithOverrides } from "../store/escalations/escalations.js";
import type { EscalationRow } from "../store/escalations/escalations.js";

/** The usergroup ids a policy names. */
export function usergroupsOf(snapshot: PolicySnapshot): string[] {
  return [
    ...new Set(
      snapshot.steps.flatMap((s) => s.notify.flatMap((t) => (t.kind === "usergroup" ? [t.usergroupId] : []))),
    ),
  ];
}

/**
 * An incident's escalation as it stands, read outside any transaction, and the resolver the
 * engine decides with: config schedules (with their config overrides), overrides made in
 * Slack from Postgres (read with the escalation, in one round trip), and the members of the
 * usergroups its policy names (which may ask Slack). Null when there is no active escalation.
 */
export async function loadEscalationForPaging(
  ctx: Pick<PagingContext, "config" | "usergroups">,
  db: Queryable,
  incidentId: number,
  now: Date,
): Promise<{ escalation: EscalationRow; resolve: ResolveTargets } | null> {
  const { escalation, overrides } = await getEscalationWithOverrides(
    db,
    incidentId,
    new Date(now.getTime() - 86_400_000),
  );
  if (!escalation || escalation.status !== "active" || !escalation.snapshot) return null;
  const groups = usergroupsOf(escalation.snapshot);
  let usergroupMembers: Record<string, string[]> = {};
  if (groups.length) {
    const read = await ctx.usergroups.load(groups);
    // A group never read cannot be paged correctly: fail, and the timer retries it.
    if (read.unreadable.length)
      throw new Error(`cannot read the members of user group(s) ${read.unreadable.join(", ")} from Slack`);
    usergroupMembers = read.members;
  }
  return {
    escalation,
    resolve: createTargetResolver({ schedules: ctx.config.paging.schedules, overrides, usergroupMembers }),
  };
}
