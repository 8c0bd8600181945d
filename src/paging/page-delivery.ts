import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { PagingContext } from "./context.js";
import { claimPage } from "../store/escalations/escalations.js";
import type { PageRow } from "../store/escalations/escalations.js";
import type { PageCause } from "./ports.js";
import { announceTimer } from "./timer-job.js";
import { insertDelivery } from "../store/escalations/page-webhook-deliveries.js";

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
 * and, only for the claims this transaction won, queues the DM (and the webhook delivery)
 * and records `page.sent`, then mentions the people paged in the incident channel. All in
 * the caller's transaction, so a page is queued exactly when its claim commits.
 */
export async function sendPages(
  tx: Queryable,
  ctx: Pick<PagingContext, "settings" | "metrics" | "pages">,
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
    await ctx.pages.sendDm(tx, incident, { id: page.id, userId }, req.cause);
    if (ctx.settings.webhook) {
      const deliveryId = await insertDelivery(tx, {
        pageId: page.id,
        incidentId: incident.id,
        userId,
        body: webhookBody(incident, page, req.cause),
        now: req.now,
      });
      await announceTimer(tx, { type: "webhook", deliveryId, dueAt: req.now.getTime() });
    }
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

/** The JSON a webhook receiver (an SMS or phone gateway) gets for one page. */
function webhookBody(incident: Incident, page: PageRow, cause: PageCause): Record<string, unknown> {
  return {
    type: "page",
    page_id: page.id,
    idempotency_key: `${incident.id}:${page.run}:${page.step}:${page.repeat}:${page.userId}`,
    user_id: page.userId,
    incident: { id: incident.id, title: incident.title, severity: incident.severity, state: incident.state },
    reason: cause.kind,
    ...(cause.kind === "escalation"
      ? {
          policy: cause.policy,
          step: page.step,
          repeat: page.repeat,
          ack_timeout_ms: cause.ackTimeoutMs,
          ...(cause.note ? { why: cause.note } : {}),
        }
      : { paged_by: cause.by }),
    paged_at: page.createdAt.toISOString(),
  };
}
