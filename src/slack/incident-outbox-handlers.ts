import type pg from "pg";
import type { FirebreakConfig } from "../config.js";
import type { Clock } from "../core/ports.js";
import { incidentChannelName } from "../core/incident/channel-name.js";
import { truncate } from "../core/mrkdwn.js";
import { incidentChannelKey } from "../incidents/incident-notices.js";
import type { SummaryContributor } from "../feature-module.js";
import { getIncident, updateIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Block } from "./views/blocks.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { OutboxHandler } from "./outbox-drainer.js";
import { enqueueSlackCall } from "../store/outbox/outbox-calls.js";
import type { OutboxRow } from "../store/outbox/outbox-calls.js";
import { renderAnnouncement, renderIncidentSummary } from "./views/incident-summary.js";

const MAX_NAME_ATTEMPTS = 20;

/**
 * The Slack side of an incident's life, as outbox continuations: create the channel
 * (retrying `name_taken` with a suffix), then invite, set topic and purpose, post and pin
 * the summary, announce; and re-render the summary in place on every change.
 */
export function incidentOutboxHandlers(deps: {
  config: FirebreakConfig;
  clock: Clock;
  contributors?: readonly SummaryContributor[];
}): Map<string, OutboxHandler> {
  const incidentOf = async (row: OutboxRow, tx: pg.PoolClient) =>
    row.incidentId === null ? null : getIncident(tx, row.incidentId);
  const summary = async (tx: pg.PoolClient, incident: Incident) => {
    const extra: Block[] = [];
    for (const c of deps.contributors ?? []) extra.push(...(await c(tx, incident)));
    return renderIncidentSummary(incident, deps.config, deps.clock.now(), extra);
  };
  return new Map<string, OutboxHandler>([
    [
      "incident.channel.create",
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
              kind: "incident.invite",
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
            kind: "incident.summary.post",
            method: "chat.postMessage",
            incidentId: incident.id,
            channelKey: key,
          });
          const announceTo =
            (row.context.announceChannel as string | undefined) ?? deps.config.slack.announcementsChannel;
          if (announceTo) {
            await enqueueSlackCall(tx, {
              kind: "incident.announce",
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
      "incident.invite",
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
      "incident.summary.post",
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
            kind: "incident.pin",
            method: "pins.add",
            args: { channel: incident.channelId, timestamp: incident.summaryTs },
            incidentId: incident.id,
            channelKey: incidentChannelKey(incident.id),
          });
        },
      },
    ],
    ["incident.pin", { onError: async (_row, error) => (error === "already_pinned" ? "ignore" : null) }],
    [
      "incident.summary.update",
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
      "incident.announce",
      {
        async render(row, tx) {
          const incident = await incidentOf(row, tx);
          const channel = row.context.channel as string | undefined;
          if (!incident || !channel) return null;
          return { channel, ...renderAnnouncement(incident), unfurl_links: false };
        },
      },
    ],
  ]);
}
