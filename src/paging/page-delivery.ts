import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { PagingContext } from "./context.js";
import { claimPage } from "../store/escalations/escalations.js";
import type { PageRow } from "../store/escalations/escalations.js";
import type { PageCause } from "./ports.js";
import { fanOutPage } from "./fan-out.js";

/** Which page (run, step, repeat) to send to whom, and why. */
export interface PageRequest {
  run: number;
  step: number;
  repeat: number;
  userIds: readonly string[];
  cause: PageCause;
  actor: string;
  dueAt: Date;
  now: Date;
}

/**
 * Pages people, exactly once each: claims (incident, run, step, repeat, person) in `pages`
 * and, only for the claims this transaction won, fans each out along the person's
 * notification rules (the DM due now queued, the rest as durable deliveries) and records `page.sent`, then mentions the people paged in the incident channel. All in
 * the caller's transaction, so a page is queued exactly when its claim commits.
 */
export async function sendPages(
  tx: Queryable,
  ctx: Pick<PagingContext, "settings" | "metrics" | "pages" | "config" | "providers">,
  incident: Incident,
  req: PageRequest,
): Promise<PageRow[]> {
  const sent: PageRow[] = [];
  for (const userId of req.userIds) {
    const page = await claimPage(tx, {
      incidentId: incident.id,
      run: req.run,
      step: req.step,
      repeat: req.repeat,
      userId,
      reason: req.cause.kind,
      pagedBy: req.actor,
      dueAt: req.dueAt,
      now: req.now,
    });
    if (!page) {
      ctx.metrics?.pages.inc({ channel: "slack_dm", outcome: "duplicate" });
      continue;
    }
    sent.push(page);
    const fan = await fanOutPage(tx, ctx, incident, page, req.cause, req.now);
    await appendTimelineEvent(tx, {
      incidentId: incident.id,
      actor: req.actor,
      kind: "page.sent",
      at: req.now,
      data: {
        page: page.id,
        user: userId,
        reason: req.cause.kind,
        run: req.run,
        step: req.step,
        repeat: req.repeat,
        ...(req.cause.kind === "escalation" ? { policy: req.cause.policy } : {}),
        late_ms: Math.max(0, req.now.getTime() - req.dueAt.getTime()),
        methods: fan.deliveries.map((d) => ({
          method: d.methodId,
          type: d.methodType,
          after_ms: d.dueAt.getTime() - req.now.getTime(),
        })),
        ...(fan.skipped.length
          ? { skipped: fan.skipped.map((s) => ({ method: s.methodId, reason: s.reason })) }
          : {}),
      },
    });
    ctx.metrics?.pages.inc({ channel: "slack_dm", outcome: "delivered" });
    ctx.metrics?.pageDeliveryDuration.observe(
      { channel: "slack_dm" },
      Math.max(0, req.now.getTime() - req.dueAt.getTime()) / 1000,
    );
  }
  if (sent.length > 0)
    await ctx.pages.announcePaged(
      tx,
      incident,
      sent.map((p) => p.userId),
      req.cause,
    );
  return sent;
}
