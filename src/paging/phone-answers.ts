import type pg from "pg";
import { parseSmsReply, smsReplyText, voiceAnswer, voiceScript } from "../core/notify/page-messages.js";
import type { VoiceScript } from "../core/notify/page-messages.js";
import { usersWithNumber } from "../store/contact-methods/preferences.js";
import { bundleOf, lastSentTo, noteProviderStatus } from "../store/deliveries/page-deliveries.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import { findPageByCode } from "../store/escalations/page-acks.js";
import { getIncident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { AnswerResult, PageAnswerDeps } from "./answer-pages.js";
import { answerPages } from "./answer-pages.js";
import { ENGINE_ACTOR } from "./context.js";
import type { PagingContext } from "./context.js";
import { pageSummaries } from "./render-delivery.js";

/** What the Twilio doors need: answering pages, plus paging's settings for the messages. */
export interface PhoneAnswerDeps extends PageAnswerDeps {
  paging: Pick<PagingContext, "pool" | "clock" | "log" | "config" | "settings">;
}

/** A replay check run inside the transaction that acts on a signed request. */
export type ReplayGuard = (tx: pg.PoolClient) => Promise<boolean>;

/** People a number belongs to: SMS and voice methods in firebreak.yaml, and verified ones added in Slack. */
async function ownersOf(deps: PhoneAnswerDeps, number: string): Promise<string[]> {
  const configured = Object.entries(deps.paging.config.people)
    .filter(([, p]) => p.methods.some((m) => (m.type === "sms" || m.type === "voice") && m.target === number))
    .map(([userId]) => userId);
  return [...new Set([...configured, ...(await usersWithNumber(deps.paging.pool, number))])];
}

function replyFor(result: AnswerResult, kind: "ack" | "escalate"): string {
  if (result.kind === "replayed") return "";
  const ids = [...new Set(result.pages.map((p) => p.incidentId))];
  if (result.kind === "already")
    return smsReplyText({
      kind: "nothing",
      reason: `Already answered: ${ids.map((id) => `#${id}`).join(", ")}.`,
    });
  const refused = result.outcomes.find((o) => o.outcome.status === "refused");
  if (refused && result.pages.length === 0)
    return smsReplyText({ kind: "nothing", reason: refused.outcome.message });
  return smsReplyText({ kind: kind === "ack" ? "acknowledged" : "escalated", incidentIds: ids });
}

/**
 * An SMS reply to a page ("ack 4821", "esc 4821", "1", "2"), from `from`: the code names
 * one of the sender's open pages; without one, the reply answers the pages of the last
 * SMS sent to that number. Returns the text to answer with (empty: no answer).
 */
export async function answerSms(
  deps: PhoneAnswerDeps,
  o: { from: string; body: string; guard: ReplayGuard },
): Promise<string> {
  const now = deps.paging.clock.now();
  const reply = parseSmsReply(o.body);
  if (reply.kind === "unknown") return smsReplyText({ kind: "help" });
  const owners = await ownersOf(deps, o.from);
  if (owners.length === 0)
    return smsReplyText({
      kind: "nothing",
      reason: "This number is not a contact method of anyone in Firebreak.",
    });
  let pageIds: number[];
  if (reply.code) {
    const page = await findPageByCode(deps.paging.pool, { userIds: owners, code: reply.code, now });
    if (!page) return smsReplyText({ kind: "nothing", reason: `No open page has code ${reply.code}.` });
    pageIds = [page.pageId];
  } else {
    const since = new Date(now.getTime() - deps.paging.settings.ackTtlMs);
    const last = await lastSentTo(deps.paging.pool, { type: "sms", target: o.from, since });
    if (!last) return smsReplyText({ kind: "nothing", reason: "No page was sent to this number lately." });
    pageIds = (await bundleOf(deps.paging.pool, last.id)).map((d) => d.pageId);
  }
  const result = await answerPages(deps, { pageIds, answer: reply.kind, via: "sms", guard: o.guard });
  return replyFor(result, reply.kind);
}

/** The deliveries one call was made for (its lead delivery, named in the call's URLs). */
async function callPages(deps: PhoneAnswerDeps, deliveryId: number): Promise<PageDelivery[]> {
  const bundle = await bundleOf(deps.paging.pool, deliveryId);
  return bundle.length > 0 && bundle[0]!.methodType === "voice" ? bundle : [];
}

/**
 * What a paging call says when it is answered: the pages it carries still open, with the
 * keys to press; null when there is nothing left to say (all answered, or no such call).
 */
export async function callScript(deps: PhoneAnswerDeps, deliveryId: number): Promise<VoiceScript | null> {
  const deliveries = await callPages(deps, deliveryId);
  const open: PageDelivery[] = [];
  for (const d of deliveries) {
    const incident = await getIncident(deps.paging.pool, d.incidentId);
    if (incident && incident.state === "declared") open.push(d);
  }
  if (open.length === 0) return null;
  return voiceScript(await pageSummaries(deps.paging.pool, deps.paging, open));
}

/** A key pressed during a paging call: 1 acknowledges its pages, 2 escalates them. Returns what the call says. */
export async function answerCall(
  deps: PhoneAnswerDeps,
  o: { deliveryId: number; digits: string; guard: ReplayGuard },
): Promise<{ say: string; again: boolean; replayed: boolean }> {
  const deliveries = await callPages(deps, o.deliveryId);
  if (deliveries.length === 0) return { say: voiceAnswer("nothing"), again: false, replayed: false };
  if (o.digits !== "1" && o.digits !== "2")
    return { say: voiceAnswer("invalid"), again: true, replayed: false };
  const answer = o.digits === "1" ? "ack" : "escalate";
  const result = await answerPages(deps, {
    pageIds: deliveries.map((d) => d.pageId),
    answer,
    via: "voice",
    guard: o.guard,
  });
  if (result.kind === "replayed") return { say: "", again: false, replayed: true };
  if (result.kind === "already") return { say: voiceAnswer("nothing"), again: false, replayed: false };
  return { say: voiceAnswer(answer === "ack" ? "acknowledged" : "escalated"), again: false, replayed: false };
}

/**
 * What Twilio later says about a call or SMS it took: a call nobody answered, an SMS the
 * network did not deliver. Recorded on the deliveries and in their incidents' timelines.
 */
export async function recordProviderStatus(
  deps: Pick<PhoneAnswerDeps, "paging">,
  o: { deliveryId: number; status: string; guard: ReplayGuard },
): Promise<"recorded" | "ignored" | "replayed"> {
  const now = deps.paging.clock.now();
  const notable = ["no-answer", "busy", "failed", "canceled", "undelivered"].includes(o.status);
  return withTransaction(deps.paging.pool, async (tx) => {
    if (!(await o.guard(tx))) return "replayed";
    if (!notable) return "ignored";
    const noted = await noteProviderStatus(tx, o.deliveryId, o.status);
    for (const d of noted)
      await appendTimelineEvent(tx, {
        incidentId: d.incidentId,
        actor: ENGINE_ACTOR,
        kind: "page.not_reached",
        at: now,
        data: { delivery: d.id, page: d.pageId, user: d.userId, channel: d.methodType, status: o.status },
      });
    return noted.length ? "recorded" : "ignored";
  });
}
