import { randomBytes } from "node:crypto";
import { effectivePerson } from "../core/notify/contact-methods.js";
import { isRateLimited } from "../core/notify/rate-limit.js";
import { handoffMessage } from "../core/notify/verification-messages.js";
import { dueHandoffs, handoffText } from "../core/oncall/person-shifts.js";
import { loadPreferences } from "../store/contact-methods/preferences.js";
import { recordSent } from "../store/deliveries/contact-sends.js";
import { claimHandoffNotice } from "../store/oncall/handoff-notices.js";
import { currentOverrides } from "../store/oncall/overrides.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";

const LOOK_BACK_MS = 8 * 86_400_000;

/**
 * Tells each person whose shift starts within the lead time (or started just now) that
 * they are on call: a DM, exactly once per shift (a unique key per schedule, person and
 * start), and — if they asked with `/oncall me handoff on` — their first contact method too.
 * Returns how many notices went out.
 */
export async function sendHandoffNotices(
  ctx: Pick<PagingContext, "pool" | "config" | "settings" | "providers" | "pages" | "log">,
  now: Date,
): Promise<number> {
  const schedules = ctx.config.paging.schedules;
  if (Object.keys(schedules).length === 0) return 0;
  const overrides = await currentOverrides(ctx.pool, new Date(now.getTime() - LOOK_BACK_MS));
  let sent = 0;
  for (const notice of dueHandoffs(schedules, overrides, now, ctx.settings.handoffLeadMs)) {
    const stored = (await loadPreferences(ctx.pool, [notice.userId])).get(notice.userId);
    const person = effectivePerson(notice.userId, ctx.config.people[notice.userId], stored);
    const text = handoffText(notice, person.timeZone ?? notice.timeZone, now);
    const claimed = await withTransaction(ctx.pool, async (tx) => {
      if (!(await claimHandoffNotice(tx, { ...notice, now }))) return false;
      await ctx.pages.dmPerson(tx, notice.userId, `:calendar: ${text}.`);
      await appendTimelineEvent(tx, {
        incidentId: WORKSPACE_CHAIN,
        actor: ENGINE_ACTOR,
        kind: "oncall.handoff_notice",
        at: now,
        data: {
          schedule: notice.schedule,
          user: notice.userId,
          from: notice.start.toISOString(),
          to: notice.end.toISOString(),
        },
      });
      return true;
    });
    if (!claimed) continue;
    sent += 1;
    if (!person.handoffNotice?.firstMethod) continue;
    const first = person.methods.find(
      (m) => m.type !== "slack" && m.type !== "webhook" && m.verified && ctx.providers.available.has(m.type),
    );
    if (!first || first.type === "slack" || first.type === "webhook") continue;
    try {
      const provider = await ctx.providers.get(first.type);
      await provider.send(
        handoffMessage(
          { type: first.type, target: first.target },
          text,
          `<handoff-${randomBytes(8).toString("hex")}@firebreak>`,
        ),
      );
      if (isRateLimited(first.type))
        await withTransaction(ctx.pool, (tx) => recordSent(tx, first.type, first.target, now));
    } catch (err) {
      // The DM went; the extra notice is a courtesy and is not retried.
      ctx.log.warn(
        { err, user: notice.userId, method: first.id },
        "handoff notice through the first contact method failed",
      );
    }
  }
  return sent;
}
