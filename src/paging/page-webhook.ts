import { createHmac } from "node:crypto";
import { truncate } from "../core/mrkdwn.js";
import { getIncident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import type { TimerJob } from "./timer-job.js";
import {
  getDelivery,
  lockPendingDelivery,
  recordAttempt,
  withdrawIfAnswered,
} from "../store/escalations/page-webhook-deliveries.js";

/** Headers of a page webhook request. */
export const WEBHOOK_HEADERS = {
  timestamp: "x-firebreak-timestamp",
  signature: "x-firebreak-signature",
  delivery: "x-firebreak-delivery",
} as const;

/**
 * The signature a receiver checks: `v1=` + hex HMAC-SHA256 with the shared secret over
 * `v1:<timestamp>:<raw body>` (timestamp in Unix seconds; reject ones more than 5 minutes off).
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`v1:${timestamp}:${body}`).digest("hex")}`;
}

const MAX_BACKOFF_MS = 10 * 60_000;

/** What one delivery attempt did; `next` is the retry to set after commit. */
export type DeliveryOutcome =
  | { kind: "inactive" }
  | { kind: "wait"; next: TimerJob }
  | { kind: "delivered"; attempts: number }
  | { kind: "retry"; attempts: number; error: string; next: TimerJob }
  | { kind: "dead"; attempts: number; error: string };

async function post(ctx: PagingContext, url: string, secret: string, id: number, payload: string, now: Date) {
  const timestamp = Math.floor(now.getTime() / 1000);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, payload),
        [WEBHOOK_HEADERS.delivery]: String(id),
      },
      body: payload,
      redirect: "manual",
      signal: AbortSignal.timeout(ctx.settings.webhookTimeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return truncate(
      `${(err as Error).name === "TimeoutError" ? "timed out" : (err as Error).message}${cause ? ` (${cause})` : ""}`,
      300,
    );
  }
}

/**
 * One attempt to deliver a page to the outbound webhook, under the delivery's row lock (a
 * second worker skips it). A failure is retried with exponential backoff; after the last
 * attempt the page is dead-lettered: recorded in the timeline and posted in the channel.
 * Delivery is at least once: receivers dedupe on `idempotency_key` or the delivery header.
 */
export async function processDelivery(
  ctx: PagingContext,
  deliveryId: number,
  now: Date,
): Promise<DeliveryOutcome> {
  const webhook = ctx.settings.webhook;
  if (!webhook) return { kind: "inactive" };
  const before = await getDelivery(ctx.pool, deliveryId);
  if (!before || before.status !== "pending") return { kind: "inactive" };
  return withTransaction(ctx.pool, async (tx): Promise<DeliveryOutcome> => {
    const d = await lockPendingDelivery(tx, deliveryId);
    if (!d) return { kind: "inactive" };
    // No page after an ack: an escalation page still queued (or retrying) is withdrawn.
    const answered = await withdrawIfAnswered(tx, d.id, now);
    if (answered) {
      await appendTimelineEvent(tx, {
        incidentId: d.incidentId,
        actor: ENGINE_ACTOR,
        kind: "page.withdrawn",
        at: now,
        data: {
          page: d.pageId,
          user: d.body.user_id ?? null,
          channel: "webhook",
          reason: `the incident was ${answered.state} before the webhook delivery went out`,
        },
      });
      return { kind: "inactive" };
    }
    if (d.nextAttemptAt.getTime() > now.getTime())
      return { kind: "wait", next: { type: "webhook", deliveryId, dueAt: d.nextAttemptAt.getTime() } };
    const error = await post(ctx, webhook.url, webhook.secret, d.id, JSON.stringify(d.body), now);
    const attempts = d.attempts + 1;
    if (error === null) {
      await recordAttempt(tx, d.id, {
        status: "delivered",
        error: null,
        nextAttemptAt: d.nextAttemptAt,
        now,
      });
      ctx.metrics?.pages.inc({ channel: "webhook", outcome: "delivered" });
      return { kind: "delivered", attempts };
    }
    if (attempts < ctx.settings.webhookMaxAttempts) {
      const delay = Math.min(MAX_BACKOFF_MS, ctx.settings.webhookBackoffMs * 2 ** (attempts - 1));
      const nextAttemptAt = new Date(now.getTime() + delay);
      await recordAttempt(tx, d.id, { status: "pending", error, nextAttemptAt, now });
      return {
        kind: "retry",
        attempts,
        error,
        next: { type: "webhook", deliveryId, dueAt: nextAttemptAt.getTime() },
      };
    }
    await recordAttempt(tx, d.id, { status: "dead", error, nextAttemptAt: d.nextAttemptAt, now });
    ctx.metrics?.pages.inc({ channel: "webhook", outcome: "failed" });
    await appendTimelineEvent(tx, {
      incidentId: d.incidentId,
      actor: ENGINE_ACTOR,
      kind: "page.webhook_dead_letter",
      at: now,
      data: { delivery: d.id, page: d.pageId, user: d.body.user_id ?? null, attempts, error },
    });
    const incident = await getIncident(tx, d.incidentId);
    if (incident)
      await ctx.notifier.post(tx, incident, {
        text: `:x: The page webhook never took the page to <@${typeof d.body.user_id === "string" ? d.body.user_id : "?"}> (${attempts} attempts, last: ${error}). They still have the Slack DM; page someone else if this matters.`,
      });
    return { kind: "dead", attempts, error };
  });
}
