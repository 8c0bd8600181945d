import { randomBytes, randomInt } from "node:crypto";
import { effectivePerson } from "../core/notify/contact-methods.js";
import { planDeliveries } from "../core/notify/plan-deliveries.js";
import type { SkippedRule } from "../core/notify/plan-deliveries.js";
import { pickAckCode } from "../core/notify/signed-tokens.js";
import { loadPreferences } from "../store/contact-methods/preferences.js";
import { insertDeliveries } from "../store/deliveries/page-deliveries.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import type { PageRow } from "../store/escalations/escalations.js";
import { claimAckCode } from "../store/escalations/page-acks.js";
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
  const ackCode = await claimNewAckCode(tx, page, randomBytes(12).toString("base64url"), expiresAt, now);
  const bodies = new Map<string, Record<string, unknown>>();
  for (const p of plan.deliveries)
    if (p.type === "webhook") bodies.set(p.methodId, webhookBody(incident, page, cause, ackCode));
  // The Slack DM due now is queued in the outbox below, in this transaction: its delivery is
  // stored as made (the outbox then owns it), the others wait for their timers.
  const dmNow = (p: { type: string; dueAt: Date }) =>
    p.type === "slack" && p.dueAt.getTime() <= now.getTime();
  const deliveries = await insertDeliveries(tx, {
    pageId: page.id,
    incidentId: incident.id,
    userId: page.userId,
    planned: plan.deliveries,
    bodies,
    deliveredNow: new Set(plan.deliveries.filter(dmNow).map((p) => p.methodId)),
    now,
  });
  for (const d of deliveries) {
    if (dmNow({ type: d.methodType, dueAt: d.dueAt })) {
      await ctx.pages.sendDm(tx, incident, { id: page.id, userId: page.userId }, cause);
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
 * Gives the page a code that none of its person's open pages has (and its link nonce): five
 * random four-digit codes are offered, then five of five digits and fifty of six, and the
 * first free one is taken (a four-digit one, nearly always) in one statement. Only when a
 * person has thousands of pages open does a code get a fifth (then sixth) digit: a page is
 * never refused or held up for want of a code. Losing every candidate to pages made at the
 * same moment draws new ones.
 */
async function claimNewAckCode(
  tx: Queryable,
  page: Pick<PageRow, "id" | "userId">,
  nonce: string,
  expiresAt: Date,
  now: Date,
): Promise<string> {
  const random = () => randomInt(0, 1_000_000) / 1_000_000;
  for (let round = 0; round < 3; round++) {
    const codes: string[] = [];
    for (const [digits, count] of [
      [4, 5],
      [5, 5],
      [6, 50],
    ] as const) {
      const drawn = new Set<string>();
      while (drawn.size < count) drawn.add(pickAckCode(drawn, random, digits));
      codes.push(...drawn);
    }
    const code = await claimAckCode(tx, {
      userId: page.userId,
      codes,
      pageId: page.id,
      nonce,
      expiresAt,
      now,
    });
    if (code) return code;
  }
  throw new Error(`no ack code is free for ${page.userId}: too many pages open`);
}
