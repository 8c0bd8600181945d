import type pg from "pg";
import type { FirebreakConfig } from "../../config.js";
import type { Clock } from "../../core/ports.js";
import { incidentChannelName } from "../../core/incident/channel-name.js";
import { truncate } from "../../core/mrkdwn.js";
import { INCIDENT_OUTBOX, incidentChannelKey } from "../notifiers/incident-notifier.js";
import type { SummarySection } from "../summary/section.js";
import { getIncident, updateIncident } from "../../store/incidents/incidents.js";
import type { Incident } from "../../store/incidents/incidents.js";
import type { Block } from "../views/blocks.js";
import { appendTimelineEvent } from "../../store/timeline/timeline-events.js";
import type { OutboxHandler } from "./drainer.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import type { OutboxRow } from "../../store/outbox/outbox-calls.js";
import { renderAnnouncement, renderIncidentSummary } from "../views/incident-summary.js";

const MAX_NAME_ATTEMPTS = 20;

/**
 * The Slack side of an incident's life, as outbox continuations: create the channel
 * (retrying `name_taken` with a suffix), then invite, set topic and purpose, post and pin
 * the summary, announce; re-render the summary in place on every change; and post the
 * incident's messages in its channel as it is when they are sent.
 */
export function incidentOutboxHandlers(deps: {
  config: FirebreakConfig;
  clock: Clock;
  /** What the summary shows after its fields, in order: alerts, escalation, the run picker. */
  sections: readonly SummarySection[];
}): Map<string, OutboxHandler> {
  const incidentOf = async (row: OutboxRow, tx: pg.PoolClient) =>
    row.incidentId === null ? null : getIncident(tx, row.incidentId);
  const summary = async (tx: pg.PoolClient, incident: Incident) => {
    const extra: Block[] = [];
    for (const section of deps.sections) extra.push(...(await section(tx, incident)));
    return renderIncidentSummary(incident, deps.config, deps.clock.now(), extra);
  };
  return new Map<string, OutboxHandler>([
    [
      INCIDENT_OUTBOX.channelCreate,
      {
        async render(row, tx) {
          const incident = await incidentOf(row, tx);
          if (!incident || incident.channelId) return null;
          const name = incidentChannelName({
            number: incident.id,
            title: incident.title,
            declaredAt: incident.declaredAt,
            timeZone: deps.config.timezone,
            prefix: deps.config.slack.channelPrefix,
            attempt: Number(row.context.attempt ?? 1),
          });
          return { name, is_private: false };
        },
        async onError(row, error) {
          const attempt = Number(row.context.attempt ?? 1);
          if (error === "name_taken" && attempt < MAX_NAME_ATTEMPTS)
            return { retryWith: { ...row.context, attempt: attempt + 1 } };
          return null;
        },
        async onDone(row, result, tx) {
          const channel = result.channel as { id: string; name: string };
          const incident = await updateIncident(tx, row.incidentId!, {
            channelId: channel.id,
            channelName: channel.name,
          });
          await appendTimelineEvent(tx, {
            incidentId: incident.id,
            actor: "firebreak",
            kind: "slack.channel_created",
            at: deps.clock.now(),
            data: { channel: channel.id, name: channel.name },
          });
          const key = incidentChannelKey(incident.id);
          const invite = (row.context.invite as string[] | undefined) ?? [];
          for (const user of invite) {
            await enqueueSlackCall(tx, {
              kind: INCIDENT_OUTBOX.invite,
              method: "conversations.invite",
              args: { channel: channel.id, users: user },
              incidentId: incident.id,
              channelKey: key,
            });
          }
          const topic = truncate(`${incident.severity} · ${incident.title} · #${incident.id}`, 250);
          await enqueueSlackCall(tx, {
            method: "conversations.setTopic",
            args: { channel: channel.id, topic },
            incidentId: incident.id,
            channelKey: key,
          });
          const purpose = truncate(
            `Incident #${incident.id}: ${incident.title}. Managed by Firebreak: /incident help`,
            250,
          );
          await enqueueSlackCall(tx, {
            method: "conversations.setPurpose",
            args: { channel: channel.id, purpose },
            incidentId: incident.id,
            channelKey: key,
          });
          await enqueueSlackCall(tx, {
            kind: INCIDENT_OUTBOX.summaryPost,
            method: "chat.postMessage",
            incidentId: incident.id,
            channelKey: key,
          });
          const announceTo =
            (row.context.announceChannel as string | undefined) ?? deps.config.slack.announcementsChannel;
          if (announceTo) {
            await enqueueSlackCall(tx, {
              kind: INCIDENT_OUTBOX.announce,
              method: "chat.postMessage",
              incidentId: incident.id,
              channelKey: `channel:${announceTo}`,
              context: { channel: announceTo },
            });
          }
        },
      },
    ],
    [
      INCIDENT_OUTBOX.invite,
      {
        async onError(_row, error) {
          // The person is there already, or cannot be invited (deactivated): neither blocks the rest.
          return error === "already_in_channel" ||
            error === "cant_invite_self" ||
            error === "user_not_found" ||
            error === "user_is_restricted"
            ? "ignore"
            : null;
        },
      },
    ],
    [
      INCIDENT_OUTBOX.summaryPost,
      {
        async render(row, tx) {
          const incident = await incidentOf(row, tx);
          if (!incident?.channelId || incident.summaryTs) return null;
          return {
            channel: incident.channelId,
            ...(await summary(tx, incident)),
            unfurl_links: false,
          };
        },
        async onDone(row, result, tx) {
          const incident = await updateIncident(tx, row.incidentId!, { summaryTs: String(result.ts) });
          await enqueueSlackCall(tx, {
            kind: INCIDENT_OUTBOX.pin,
            method: "pins.add",
            args: { channel: incident.channelId, timestamp: incident.summaryTs },
            incidentId: incident.id,
            channelKey: incidentChannelKey(incident.id),
          });
        },
      },
    ],
    [INCIDENT_OUTBOX.pin, { onError: async (_row, error) => (error === "already_pinned" ? "ignore" : null) }],
    [
      INCIDENT_OUTBOX.summaryUpdate,
      {
        async render(row, tx) {
          const incident = await incidentOf(row, tx);
          if (!incident?.channelId || !incident.summaryTs) return null;
          return {
            channel: incident.channelId,
            ts: incident.summaryTs,
            ...(await summary(tx, incident)),
          };
        },
      },
    ],
    [
      INCIDENT_OUTBOX.announce,
      {
        async render(row, tx) {
          const incident = await incidentOf(row, tx);
          const channel = row.context.channel as string | undefined;
          if (!incident || !channel) return null;
          return {
            channel,
            ...renderAnnouncement(incident, deps.config.intake.services),
            unfurl_links: false,
          };
        },
      },
    ],
    [INCIDENT_OUTBOX.message, messageHandler],
    // Kinds of earlier versions, still in an outbox at an upgrade: the same message.
    ["alert.channel_message", messageHandler],
    ["page.channel_mention", messageHandler],
  ]);
}

/** An incident's message, posted in its channel as the channel is when the message is sent. */
const messageHandler: OutboxHandler = {
  async render(row, tx) {
    const incident = row.incidentId === null ? null : await getIncident(tx, row.incidentId);
    // Earlier versions kept an alert message's text in the context.
    const text = row.args.text ?? row.context.text;
    if (!incident?.channelId || typeof text !== "string") return null;
    return { unfurl_links: false, ...row.args, text, channel: incident.channelId };
  },
};
