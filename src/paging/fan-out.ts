import { randomBytes, randomInt } from "node:crypto";
import { effectivePerson } from "../core/notify/contact-methods.js";
import { planDeliveries } from "../core/notify/plan-deliveries.js";
import type { SkippedRule } from "../core/notify/plan-deliveries.js";
import { pickAckCode } from "../core/notify/signed-tokens.js";
import { loadPreferences } from "../store/contact-methods/preferences.js";
import { insertDeliveries, recordAttempt } from "../store/deliveries/page-deliveries.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import type { PageRow } from "../store/escalations/escalations.js";
import { claimAckCode, setPageAck } from "../store/escalations/page-acks.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";
import type { PagingContext } from "./context.js";
import type { PageCause } from "./ports.js";
import { announceTimer } from "./timer-job.js";

/** A page's deliveries as planned, and the rules that could not be followed. */
export interface FanOut {
  deliveries: PageDelivery[];
  skipped: SkippedRule[];
  ackCode: string;
}

/**
 * Fans one claimed page out along its person's notification rules, in the transaction that
 * claimed it: gives the page its ack code and link nonce, stores one delivery per (page,
 * contact method) — the unique key keeps each exactly once — queues the Slack DM due now in
 * the outbox, and announces a timer for every delivery still to make.
 */
export async function fanOutPage(
  tx: Queryable,
  ctx: Pick<PagingContext, "settings" | "config" | "providers" | "pages">,
  incident: Incident,
  page: PageRow,
  cause: PageCause,
  now: Date,
): Promise<FanOut> {
  const stored = (await loadPreferences(tx, [page.userId])).get(page.userId);
  const person = effectivePerson(page.userId, ctx.config.people[page.userId], stored);
  const plan = planDeliveries(person, now, {
    available: ctx.providers.available,
    pageWebhook: Boolean(ctx.settings.webhook),
  });
  const expiresAt = new Date(now.getTime() + ctx.settings.ackTtlMs);
  const ackCode = await claimNewAckCode(tx, page, expiresAt, now);
  await setPageAck(tx, page.id, { code: ackCode, nonce: randomBytes(12).toString("base64url"), expiresAt });
  const bodies = new Map<string, Record<string, unknown>>();
  for (const p of plan.deliveries)
    if (p.type === "webhook") bodies.set(p.methodId, webhookBody(incident, page, cause, ackCode));
  const deliveries = await insertDeliveries(tx, {
    pageId: page.id,
    incidentId: incident.id,
    userId: page.userId,
    planned: plan.deliveries,
    bodies,
    now,
  });
  for (const d of deliveries) {
    if (d.methodType === "slack" && d.dueAt.getTime() <= now.getTime()) {
      await ctx.pages.sendDm(tx, incident, { id: page.id, userId: page.userId }, cause);
      await recordAttempt(tx, [d.id], { status: "delivered", error: null, now });
      continue;
    }
    await announceTimer(tx, { type: "delivery", deliveryId: d.id, dueAt: d.dueAt.getTime() });
  }
  return { deliveries, skipped: plan.skipped, ackCode };
}

/** The JSON a webhook receiver (an SMS or phone gateway) gets for one page. */
function webhookBody(
  incident: Incident,
  page: PageRow,
  cause: PageCause,
  ackCode: string,
): Record<string, unknown> {
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
    ack_code: ackCode,
    paged_at: page.createdAt.toISOString(),
  };
}

/**
 * A code for the page that none of its person's open pages has: random four-digit codes are
 * tried until one is free (the first, nearly always). When five tries in a row are taken the
 * person has thousands of pages open, and the code gets a fifth (then sixth) digit: a page is
 * never refused or held up for want of a code.
 */
async function claimNewAckCode(
  tx: Queryable,
  page: Pick<PageRow, "id" | "userId">,
  expiresAt: Date,
  now: Date,
): Promise<string> {
  const random = () => randomInt(0, 1_000_000) / 1_000_000;
  for (const digits of [4, 5, 6]) {
    const tried = new Set<string>();
    for (let attempt = 0; attempt < (digits === 6 ? 50 : 5); attempt++) {
      const code = pickAckCode(tried, random, digits);
      if (await claimAckCode(tx, { userId: page.userId, code, pageId: page.id, expiresAt, now })) return code;
      tried.add(code);
    }
  }
  throw new Error(`no ack code is free for ${page.userId}: too many pages open`);
}
