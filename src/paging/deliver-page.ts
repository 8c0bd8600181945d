import type pg from "pg";
import { PAGE_WEBHOOK_METHOD_ID } from "../core/notify/contact-methods.js";
import type { ContactMethodType } from "../core/notify/contact-methods.js";
import { isRetryable, mayHaveReached, redactContact } from "../core/notify/provider-errors.js";
import { MAX_BUNDLE, isRateLimited, nextAllowedSend } from "../core/notify/rate-limit.js";
import { FirebreakError } from "../core/errors.js";
import { truncate } from "../core/mrkdwn.js";
import type { OutboundMessage, PageProvider, SendReceipt } from "../core/ports.js";
import { lastSentAt, recordSent } from "../store/deliveries/contact-sends.js";
import {
  attemptInFlight,
  bundleOf,
  claimAttempt,
  deferDelivery,
  getDelivery,
  lockBundleMates,
  lockContactTarget,
  lockClaimed,
  lockPendingDelivery,
  recordAttempt,
  releaseClaim,
  withdrawIfAnswered,
} from "../store/deliveries/page-deliveries.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import { getEscalation } from "../store/escalations/escalations.js";
import { getPageAck } from "../store/escalations/page-acks.js";
import type { PageAck } from "../store/escalations/page-acks.js";
import { getIncident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import type { PageCause } from "./ports.js";
import { renderDelivery } from "./render-delivery.js";
import type { TimerJob } from "./timer-job.js";

const MAX_BACKOFF_MS = 10 * 60_000;
/** How soon to look again when another attempt to the same number is out with the provider. */
const IN_FLIGHT_RETRY_MS = 2_000;

/** What one look at a delivery did; `next` is the timer to set after commit. */
export type DeliveryOutcome =
  | { kind: "inactive" }
  | { kind: "wait"; next: TimerJob }
  | { kind: "delivered"; attempts: number }
  | { kind: "retry"; attempts: number; error: string; next: TimerJob }
  | { kind: "dead"; attempts: number; error: string };

const job = (deliveryId: number, at: Date): TimerJob => ({
  type: "delivery",
  deliveryId,
  dueAt: at.getTime(),
});

const MEDIUM: Record<ContactMethodType, string> = {
  slack: "Slack DM",
  email: "email",
  sms: "SMS",
  voice: "phone call",
  ntfy: "push (ntfy)",
  webhook: "webhook",
};

/** What the delayed Slack DM says about why (from the escalation's snapshot). */
async function causeOf(tx: pg.PoolClient, ack: PageAck): Promise<PageCause> {
  if (ack.reason === "adhoc") return { kind: "adhoc", by: ack.pagedBy };
  const esc = await getEscalation(tx, ack.incidentId);
  const steps = esc?.snapshot?.steps ?? [];
  return {
    kind: "escalation",
    policy: esc?.policyName ?? "default",
    step: ack.step,
    steps: steps.length,
    repeat: ack.repeat,
    ackTimeoutMs: steps[ack.step]?.ackTimeoutMs ?? 0,
  };
}

async function recordWithdrawn(
  tx: pg.PoolClient,
  d: PageDelivery,
  why: { state: string; answeredVia: string | null },
  now: Date,
): Promise<void> {
  await appendTimelineEvent(tx, {
    incidentId: d.incidentId,
    actor: ENGINE_ACTOR,
    kind: "page.withdrawn",
    at: now,
    data: {
      page: d.pageId,
      user: d.userId,
      channel: d.methodType,
      method: d.methodId,
      reason: why.answeredVia
        ? `the page was answered by ${why.answeredVia} before the ${MEDIUM[d.methodType]} went out`
        : `the incident was ${why.state} before the ${d.methodType === "webhook" ? "webhook delivery" : MEDIUM[d.methodType]} went out`,
    },
  });
}

type Claim =
  DeliveryOutcome | { kind: "claimed"; lead: PageDelivery; mates: PageDelivery[]; message: OutboundMessage };

/**
 * Claims a due delivery, under its row lock: withdraws it if its page no longer needs
 * answering; the Slack DM is queued in the outbox right here; an SMS, call or email waits
 * out the per-number rate limit and takes along every other delivery due to the same
 * number (a bundle). The claim commits before the provider is called.
 */
async function claim(ctx: PagingContext, deliveryId: number, now: Date): Promise<Claim> {
  return withTransaction(ctx.pool, async (tx): Promise<Claim> => {
    // The number's lock before the row's: a look at another page to the same number waits
    // here without holding its row, so that the first can take it along in one message
    // (holding it, it was skipped as a bundle mate and then held back by the rate limit).
    const peek = await getDelivery(tx, deliveryId);
    if (peek?.status === "pending" && isRateLimited(peek.methodType))
      await lockContactTarget(tx, peek.methodType, peek.target);
    const d = await lockPendingDelivery(tx, deliveryId);
    if (!d) return { kind: "inactive" };
    // No page after an ack: a delivery still queued (or retrying) is withdrawn.
    const answered = await withdrawIfAnswered(tx, d.id, now);
    if (answered) {
      await recordWithdrawn(tx, d, answered, now);
      return { kind: "inactive" };
    }
    if (d.nextAttemptAt.getTime() > now.getTime()) return { kind: "wait", next: job(d.id, d.nextAttemptAt) };
    if (d.attemptStartedAt)
      return { kind: "wait", next: job(d.id, new Date(now.getTime() + IN_FLIGHT_RETRY_MS)) };
    if (d.methodType === "slack") {
      const incident = await getIncident(tx, d.incidentId);
      const ack = await getPageAck(tx, d.pageId);
      if (incident && ack)
        await ctx.pages.sendDm(tx, incident, { id: d.pageId, userId: d.userId }, await causeOf(tx, ack));
      await recordAttempt(tx, [d.id], { status: "delivered", error: null, now });
      ctx.metrics?.pages.inc({ channel: "slack_dm", outcome: "delivered" });
      return { kind: "delivered", attempts: d.attempts + 1 };
    }
    const mates: PageDelivery[] = [];
    if (isRateLimited(d.methodType)) {
      const since = new Date(now.getTime() - ctx.settings.attemptLeaseMs);
      if (await attemptInFlight(tx, { type: d.methodType, target: d.target, exceptId: d.id, since })) {
        const at = new Date(now.getTime() + IN_FLIGHT_RETRY_MS);
        await deferDelivery(tx, d.id, at);
        return { kind: "wait", next: job(d.id, at) };
      }
      const allowed = nextAllowedSend(d.methodType, await lastSentAt(tx, d.methodType, d.target), now);
      if (allowed.getTime() > now.getTime()) {
        await deferDelivery(tx, d.id, allowed);
        return { kind: "wait", next: job(d.id, allowed) };
      }
      for (const m of await lockBundleMates(tx, d, now, MAX_BUNDLE[d.methodType] - 1)) {
        const gone = await withdrawIfAnswered(tx, m.id, now);
        if (gone) await recordWithdrawn(tx, m, gone, now);
        else mates.push(m);
      }
    }
    let message: OutboundMessage;
    try {
      message = await renderDelivery(tx, ctx, d, mates);
    } catch (err) {
      // The page's incident or the provider's settings are gone: nothing can ever send it.
      if (!(err instanceof FirebreakError)) throw err;
      await recordAttempt(tx, [d.id], { status: "dead", error: err.message, now });
      await deadLetter(tx, ctx, d, d.attempts + 1, err.message, now);
      return { kind: "dead", attempts: d.attempts + 1, error: err.message };
    }
    await claimAttempt(tx, {
      leadId: d.id,
      mateIds: mates.map((m) => m.id),
      // What went out, so that a worker that died mid-send can be checked against the provider.
      body: d.methodType === "webhook" ? null : { outbound: message },
      now,
    });
    return { kind: "claimed", lead: d, mates, message };
  });
}

/** Records what the provider said for every delivery the message carried. */
async function recordOutcome(
  ctx: PagingContext,
  c: { lead: PageDelivery; mates: PageDelivery[] },
  result: { receipt: SendReceipt } | { error: unknown },
  now: Date,
): Promise<DeliveryOutcome> {
  const { lead } = c;
  const carried = [lead, ...c.mates];
  const ids = carried.map((d) => d.id);
  const attempts = lead.attempts + 1;
  return withTransaction(ctx.pool, async (tx): Promise<DeliveryOutcome> => {
    // The claim must still be ours: a worker that took it over as in doubt records instead.
    if (!(await lockClaimed(tx, lead.id, now))) return { kind: "inactive" };
    // Only what is still ours under the claim is recorded, counted and dead-lettered.
    const ours = (recorded: number[]) => carried.filter((d) => recorded.includes(d.id));
    if ("receipt" in result) {
      const all = ours(
        await recordAttempt(tx, ids, {
          status: "delivered",
          error: null,
          providerRef: result.receipt.ref,
          now,
          claimedAt: now,
        }),
      );
      if (isRateLimited(lead.methodType)) await recordSent(tx, lead.methodType, lead.target, now);
      for (const d of all) {
        ctx.metrics?.pages.inc({ channel: d.methodType, outcome: "delivered" });
        ctx.metrics?.pageDeliveryDuration.observe(
          { channel: d.methodType },
          Math.max(0, now.getTime() - d.dueAt.getTime()) / 1000,
        );
      }
      return { kind: "delivered", attempts };
    }
    const error = truncate(redactContact((result.error as Error).message ?? String(result.error)), 300);
    if (isRetryable(result.error) && attempts < ctx.settings.webhookMaxAttempts) {
      const delay = Math.min(MAX_BACKOFF_MS, ctx.settings.webhookBackoffMs * 2 ** (attempts - 1));
      const nextAttemptAt = new Date(now.getTime() + delay);
      await recordAttempt(tx, ids, { status: "pending", error, nextAttemptAt, now, claimedAt: now });
      ctx.log.warn(
        { delivery: lead.id, type: lead.methodType, attempts, error },
        "page delivery failed; will retry",
      );
      return { kind: "retry", attempts, error, next: job(lead.id, nextAttemptAt) };
    }
    const all = ours(await recordAttempt(tx, ids, { status: "dead", error, now, claimedAt: now }));
    for (const d of all) await deadLetter(tx, ctx, d, attempts, error, now);
    return { kind: "dead", attempts, error };
  });
}

/** A delivery that will never be made: recorded in the timeline and said in the channel. */
async function deadLetter(
  tx: pg.PoolClient,
  ctx: PagingContext,
  d: PageDelivery,
  attempts: number,
  error: string,
  now: Date,
): Promise<void> {
  ctx.metrics?.pages.inc({ channel: d.methodType, outcome: "failed" });
  const envWebhook = d.methodId === PAGE_WEBHOOK_METHOD_ID;
  await appendTimelineEvent(tx, {
    incidentId: d.incidentId,
    actor: ENGINE_ACTOR,
    kind: envWebhook ? "page.webhook_dead_letter" : "page.delivery_dead_letter",
    at: now,
    data: {
      delivery: d.id,
      page: d.pageId,
      user: d.userId,
      ...(envWebhook ? {} : { method: d.methodId, type: d.methodType }),
      attempts,
      error,
    },
  });
  const incident = await getIncident(tx, d.incidentId);
  if (!incident) return;
  await ctx.notifier.post(tx, incident, {
    text: envWebhook
      ? `:x: The page webhook never took the page to <@${d.userId}> (${attempts} attempts, last: ${error}). They still have the Slack DM; page someone else if this matters.`
      : `:x: Could not page <@${d.userId}> by ${MEDIUM[d.methodType]} (${d.methodId}: ${attempts} attempt${attempts === 1 ? "" : "s"}, last: ${error}). Their other contact methods go on; page someone else if this matters.`,
  });
}

/**
 * A claim older than the lease: the worker that made it died between claiming and
 * recording. The provider is asked whether it took the message; only if it did not (or
 * cannot tell, for email and webhooks, which receivers dedupe) is it sent again.
 */
async function resolveInDoubt(ctx: PagingContext, d: PageDelivery, now: Date): Promise<DeliveryOutcome> {
  const message = (d.body as { outbound?: OutboundMessage }).outbound;
  let found: string | null | undefined;
  if (message && d.methodType !== "slack") {
    const provider = await ctx.providers.get(d.methodType).catch(() => null);
    found = provider?.findSent ? await provider.findSent(message, d.attemptStartedAt!) : undefined;
  }
  return withTransaction(ctx.pool, async (tx): Promise<DeliveryOutcome> => {
    const locked = await lockPendingDelivery(tx, d.id);
    if (!locked || locked.attemptStartedAt?.getTime() !== d.attemptStartedAt?.getTime())
      return { kind: "wait", next: job(d.id, now) };
    const bundle = (await bundleOf(tx, d.id)).filter((b) => b.status === "pending");
    if (typeof found === "string") {
      await recordAttempt(
        tx,
        bundle.map((b) => b.id),
        { status: "delivered", error: null, providerRef: found, now },
      );
      if (isRateLimited(d.methodType)) await recordSent(tx, d.methodType, d.target, d.attemptStartedAt!);
      ctx.log.info(
        { delivery: d.id, ref: found },
        "page delivery in doubt: the provider had it; not sent again",
      );
      return { kind: "delivered", attempts: d.attempts + 1 };
    }
    await releaseClaim(tx, d.id);
    ctx.log.warn(
      { delivery: d.id, known: found === null },
      found === null
        ? "page delivery in doubt: the provider never had it; sending again"
        : "page delivery in doubt: the provider cannot tell; sending again (receivers dedupe)",
    );
    return { kind: "wait", next: job(d.id, now) };
  });
}

/**
 * One look at a page's delivery through one contact method. A due delivery is claimed in
 * one transaction, sent through its provider outside any transaction, and its outcome
 * recorded in another: two workers never both send it (the claim), a Redis flush never
 * loses it (Postgres has it; the reconciler rebuilds its timer), a worker killed mid-send
 * never sends it twice for a provider that can be asked (Twilio, ntfy). A failure is
 * retried with exponential backoff, then dead-lettered: in the timeline and the channel.
 */
export async function processDelivery(
  ctx: PagingContext,
  deliveryId: number,
  now: Date,
): Promise<DeliveryOutcome> {
  const before = await getDelivery(ctx.pool, deliveryId);
  if (!before || before.status !== "pending") return { kind: "inactive" };
  if (before.methodId === PAGE_WEBHOOK_METHOD_ID && !ctx.settings.webhook) return { kind: "inactive" };
  if (before.attemptStartedAt) {
    const leaseEnd = before.attemptStartedAt.getTime() + ctx.settings.attemptLeaseMs;
    if (leaseEnd > now.getTime()) return { kind: "wait", next: job(deliveryId, new Date(leaseEnd)) };
    // Carried in another delivery's message: settled with that one (its lead), which knows
    // what went out. Released on its own, it would be sent again alone.
    if (before.bundledInto !== null) {
      const lead = await getDelivery(ctx.pool, before.bundledInto);
      if (
        lead?.status === "pending" &&
        lead.attemptStartedAt?.getTime() === before.attemptStartedAt.getTime()
      )
        return { kind: "wait", next: job(deliveryId, new Date(now.getTime() + IN_FLIGHT_RETRY_MS)) };
    }
    return resolveInDoubt(ctx, before, now);
  }
  let provider: PageProvider | null = null;
  if (before.methodType !== "slack") {
    try {
      provider = await ctx.providers.get(before.methodType);
    } catch (err) {
      return withTransaction(ctx.pool, async (tx) => {
        const d = await lockPendingDelivery(tx, deliveryId);
        if (!d) return { kind: "inactive" } as const;
        const error = (err as Error).message;
        await recordAttempt(tx, [d.id], { status: "dead", error, now });
        await deadLetter(tx, ctx, d, d.attempts + 1, error, now);
        return { kind: "dead", attempts: d.attempts + 1, error } as const;
      });
    }
  }
  const claimed = await claim(ctx, deliveryId, now);
  if (claimed.kind !== "claimed") return claimed;
  let result: { receipt: SendReceipt } | { error: unknown };
  try {
    result = { receipt: await provider!.send(claimed.message) };
  } catch (error) {
    result = { error };
    // Timed out: the provider may have taken it all the same. Asked first, so that a page
    // it did take is recorded as sent, not sent again (a second SMS at 03:00).
    if (mayHaveReached(error) && provider?.findSent) {
      const ref = await provider.findSent(claimed.message, now).catch(() => undefined);
      if (typeof ref === "string") {
        ctx.log.info({ delivery: deliveryId, ref }, "page delivery timed out, but the provider had it");
        result = { receipt: { ref } };
      }
    }
  }
  return recordOutcome(ctx, claimed, result, now);
}
