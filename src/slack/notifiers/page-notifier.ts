import type { Service } from "../../core/alerts/services.js";
import type { PageNotifier } from "../../paging/ports.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { pageBundleLine, pageChannelMention, pageDm, postmortemReminder } from "../views/page-message.js";
import { postIncidentMessage } from "./incident-notifier.js";

/** Outbox kind of a page's DM (its continuation withdraws a stale escalation DM: slack/outbox/page-handlers.ts). */
export const PAGE_DM_KIND = "page.dm";

/** One page a page DM carries; the DM is rendered from these at send time. */
export interface BundledPage {
  pageId: number;
  incidentId: number;
  reason: string;
  /** The page's own DM. */
  text: string;
  blocks: Record<string, unknown>[];
  /** The page's line in a bundled DM. */
  line?: string;
}

/** The PageNotifier over the Slack outbox; `services` name the owner of an incident's service in its pages. */
export function createPageNotifier(services: readonly Service[] = []): PageNotifier {
  return {
    async sendDm(tx, incident, page, cause) {
      // A DM of its own per page. Pages to one person that queue up behind each other
      // (Slack takes about a message a second per conversation) are bundled when the first
      // of them is sent: one message, an Acknowledge per incident (slack/outbox/page-handlers.ts).
      await enqueueSlackCall(tx, {
        method: "chat.postMessage",
        args: { channel: page.userId, ...pageDm(incident, cause, services), unfurl_links: false },
        kind: PAGE_DM_KIND,
        incidentId: incident.id,
        channelKey: `dm:${page.userId}`,
        context: { pageId: page.id, reason: cause.kind, line: pageBundleLine(incident, cause, services) },
      });
    },
    async announcePaged(tx, incident, userIds, cause) {
      // The channel is looked up at send time: it may not exist yet.
      await postIncidentMessage(tx, incident, { text: pageChannelMention(incident, userIds, cause) });
    },
    async dmPerson(tx, userId, text) {
      await enqueueSlackCall(tx, {
        method: "chat.postMessage",
        args: { channel: userId, text, unfurl_links: false },
        incidentId: null,
        channelKey: `dm:${userId}`,
      });
    },
    async remindPostmortem(tx, incident, userId) {
      await enqueueSlackCall(tx, {
        method: "chat.postMessage",
        args: { channel: userId, text: postmortemReminder(incident), unfurl_links: false },
        incidentId: incident.id,
        channelKey: `dm:${userId}`,
      });
    },
  };
}
