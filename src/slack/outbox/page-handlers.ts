import type { Clock } from "../../core/ports.js";
import { ENGINE_ACTOR } from "../../paging/context.js";
import { getIncident } from "../../store/incidents/incidents.js";
import type { Queryable } from "../../store/pool.js";
import { appendTimelineEvent } from "../../store/timeline/timeline-events.js";
import { absorbPendingCalls, setCallContext } from "../../store/outbox/outbox-calls.js";
import type { OutboxRow } from "../../store/outbox/outbox-calls.js";
import { PAGE_DM_KIND } from "../notifiers/page-notifier.js";
import type { BundledPage } from "../notifiers/page-notifier.js";
import { pageBundleDm } from "../views/page-message.js";
import type { OutboxHandler } from "./drainer.js";

/** Most pages one bundled DM takes in (the rest go in the next one, a second later). */
const BUNDLE_MAX = 200;

/** The pages a page DM carries: its own, or every page of a bundle once it has taken others in. */
function pagesOf(row: OutboxRow): BundledPage[] {
  if (Array.isArray(row.context.pages)) return row.context.pages as BundledPage[];
  if (row.incidentId === null) return [];
  return [
    {
      pageId: Number(row.context.pageId ?? 0),
      incidentId: row.incidentId,
      reason: typeof row.context.reason === "string" ? row.context.reason : "adhoc",
      text: typeof row.args.text === "string" ? row.args.text : "",
      blocks: (row.args.blocks ?? []) as Record<string, unknown>[],
      ...(typeof row.context.line === "string" ? { line: row.context.line } : {}),
    },
  ];
}

/** Whether a page still needs its DM; a stale escalation page is recorded as withdrawn. */
async function stillDue(tx: Queryable, page: BundledPage, row: OutboxRow, clock: Clock): Promise<boolean> {
  if (page.reason !== "escalation") return true;
  const incident = await getIncident(tx, page.incidentId);
  if (!incident || incident.state === "declared") return true;
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor: ENGINE_ACTOR,
    kind: "page.withdrawn",
    at: clock.now(),
    data: {
      page: page.pageId || null,
      user: row.args.channel ?? null,
      reason: `the incident was ${incident.state} before the DM went out`,
    },
  });
  return false;
}

/**
 * Renders a page DM at send time from the pages it carries: one page as its own DM, several
 * (pages to one person that queued up behind each other) as one message with an Acknowledge
 * per incident and an Acknowledge all. An escalation page whose incident has meanwhile been
 * acknowledged, mitigated or resolved is left out (the outbox was behind, say, waiting out a
 * Slack rate limit) and recorded as `page.withdrawn`. Ad hoc pages always go.
 */
export function pageOutboxHandlers(clock: Clock): Map<string, OutboxHandler> {
  return new Map<string, OutboxHandler>([
    [
      PAGE_DM_KIND,
      {
        async render(row, tx) {
          // Page DMs to the same person queued behind this one go with it.
          const absorbed = await absorbPendingCalls(tx, row, BUNDLE_MAX);
          const pages = [...pagesOf(row), ...absorbed.flatMap(pagesOf)];
          const due: BundledPage[] = [];
          for (const page of pages) if (await stillDue(tx, page, row, clock)) due.push(page);
          if (due.length === 0) return null;
          if (absorbed.length || due.length < pages.length) {
            // The claimed call carries what is still due from now on: a retry, a recovery
            // and onDone see every page of the bundle, and a withdrawn one is withdrawn once.
            row.context = { ...row.context, pages: due };
            await setCallContext(tx, row.id, row.context);
          }
          const message =
            due.length === 1
              ? { text: due[0]!.text, blocks: due[0]!.blocks }
              : pageBundleDm(due.map((p) => ({ incidentId: p.incidentId, line: p.line ?? p.text })));
          return { ...row.args, ...message, unfurl_links: false };
        },
        async onDone(row, result, tx) {
          // The drainer records the message in the row's incident; a bundle was posted for the others too.
          const text = typeof row.args.text === "string" ? row.args.text : "";
          const others = new Set(
            pagesOf(row)
              .map((p) => p.incidentId)
              .filter((id) => new RegExp(`#${id}\\b`).test(text)),
          );
          others.delete(row.incidentId ?? -1);
          for (const incidentId of others)
            await appendTimelineEvent(tx, {
              incidentId,
              actor: "firebreak",
              kind: "slack.message_posted",
              at: clock.now(),
              data: {
                channel: result.channel ?? row.args.channel,
                ts: result.ts,
                text: text.slice(0, 500),
                purpose: row.kind,
                bundled: true,
              },
            });
        },
      },
    ],
  ]);
}
