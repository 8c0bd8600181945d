import type pg from "pg";
import { applyIncidentChangeIn } from "../incidents/apply-incident-command.js";
import type { IncidentDeps, Outcome, Via } from "../incidents/deps.js";
import { withdrawPendingForIncident } from "../store/deliveries/page-deliveries.js";
import {
  answerPages as recordAnswers,
  getPageAcks,
  lockUnansweredPages,
} from "../store/escalations/page-acks.js";
import type { PageAck } from "../store/escalations/page-acks.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { PagingContext } from "./context.js";

/** What answering a page from where it landed needs: paging, and the incident use-cases for the ack. */
export interface PageAnswerDeps {
  paging: Pick<PagingContext, "pool" | "clock" | "log">;
  incidents: IncidentDeps;
}

/** How a page was answered: acknowledged, or declined ("esc": escalate to the next step now). */
export type PageAnswer = "ack" | "escalate";

/** What answering did. */
export type AnswerResult =
  /** The answer was recorded; `outcomes` by incident (the ack, or the escalation). */
  | { kind: "answered"; pages: PageAck[]; outcomes: { incidentId: number; outcome: Outcome }[] }
  /** Every page named was answered before (a link used twice, an old code). */
  | { kind: "already"; pages: PageAck[] }
  /** The inbound request was seen before (a replayed signature): nothing changed. */
  | { kind: "replayed" };

/**
 * Answers pages from the SMS, the call, the email or a link: records the answer on each
 * page not answered yet (single use: a link's nonce must match), and in the same
 * transaction acknowledges each incident as the paged person — the same ack as the Slack
 * button, recorded with `via` — and withdraws the pages' deliveries not yet out. Declining
 * records `page.declined` and, after commit, escalates each incident to its next step at once.
 * `guard` runs first in the transaction (a replay check); false changes nothing.
 */
export async function answerPages(
  deps: PageAnswerDeps,
  o: {
    pageIds: readonly number[];
    answer: PageAnswer;
    via: Via;
    nonce?: string;
    guard?: (tx: pg.PoolClient) => Promise<boolean>;
  },
): Promise<AnswerResult> {
  const now = deps.paging.clock.now();
  const result = await withTransaction(deps.paging.pool, async (tx): Promise<AnswerResult> => {
    if (o.guard && !(await o.guard(tx))) return { kind: "replayed" };
    const open = await lockUnansweredPages(tx, o.pageIds, o.nonce);
    if (open.length === 0) return { kind: "already", pages: await getPageAcks(tx, o.pageIds) };
    const answered: PageAck[] = [];
    const outcomes: { incidentId: number; outcome: Outcome }[] = [];
    // One incident at a time, in id order: the same lock order as every other ack.
    const byIncident = [...new Set(open.map((p) => p.incidentId))].sort((a, b) => a - b);
    for (const incidentId of byIncident) {
      const pages = open.filter((p) => p.incidentId === incidentId);
      const actor = pages[0]!.userId;
      if (o.answer === "ack") {
        const roles = await deps.incidents.roles.rolesOf(actor);
        const outcome = await applyIncidentChangeIn(tx, deps.incidents, {
          incidentId,
          actor,
          roles,
          request: { type: "ack" },
          via: o.via,
        });
        outcomes.push({ incidentId, outcome });
        // A refused ack (the policy says this person may not) leaves the page open and paging on.
        if (outcome.status === "refused") continue;
      } else {
        await appendTimelineEvent(tx, {
          incidentId,
          actor,
          kind: "page.declined",
          at: now,
          data: { pages: pages.map((p) => p.pageId), via: o.via },
        });
      }
      answered.push(
        ...(await recordAnswers(
          tx,
          pages.map((p) => p.pageId),
          { via: o.answer === "ack" ? o.via : `${o.via} (declined)`, now },
        )),
      );
      // The answered pages' other deliveries (an ad hoc page on an incident acked before it) stop too.
      await withdrawPendingForIncident(tx, incidentId, {
        since: now,
        now,
        pageIds: pages.map((p) => p.pageId),
      });
    }
    return { kind: "answered", pages: answered, outcomes };
  });
  if (result.kind !== "answered" || o.answer !== "escalate") return result;
  const paging = deps.incidents.paging;
  for (const incidentId of [...new Set(result.pages.map((p) => p.incidentId))]) {
    const actor = result.pages.find((p) => p.incidentId === incidentId)!.userId;
    const outcome = paging
      ? await paging.escalateNow(incidentId, actor)
      : ({ status: "refused", message: "Paging is not enabled." } as const);
    result.outcomes.push({ incidentId, outcome });
  }
  return result;
}
