import type { Clock } from "../../core/ports.js";
import { ENGINE_ACTOR } from "../../paging/context.js";
import { getIncident } from "../../store/incidents/incidents.js";
import { appendTimelineEvent } from "../../store/timeline/timeline-events.js";
import { PAGE_DM_KIND } from "../notifiers/page-notifier.js";
import type { OutboxHandler } from "./drainer.js";

/**
 * Renders a page's DM at send time. An escalation page whose incident has meanwhile been
 * acknowledged, mitigated or resolved is not sent (the outbox was behind, say, waiting out
 * a Slack rate limit): recorded as `page.withdrawn`. Ad hoc pages always go.
 */
export function pageOutboxHandlers(clock: Clock): Map<string, OutboxHandler> {
  return new Map<string, OutboxHandler>([
    [
      PAGE_DM_KIND,
      {
        async render(row, tx) {
          if (row.context.reason !== "escalation" || row.incidentId === null) return row.args;
          const incident = await getIncident(tx, row.incidentId);
          if (!incident || incident.state === "declared") return row.args;
          await appendTimelineEvent(tx, {
            incidentId: incident.id,
            actor: ENGINE_ACTOR,
            kind: "page.withdrawn",
            at: clock.now(),
            data: {
              page: row.context.pageId ?? null,
              user: row.args.channel ?? null,
              reason: `the incident was ${incident.state} before the DM went out`,
            },
          });
          return null;
        },
      },
    ],
  ]);
}
