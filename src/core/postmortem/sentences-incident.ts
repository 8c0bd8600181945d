import type { NameOf, PostmortemEvent } from "./describe-event.js";
import {
  durationText,
  eventData,
  instantText,
  listOf,
  numberOf,
  plainSlackText,
  plural,
  text,
} from "./describe-event.js";

const quote = (s: unknown) => `“${text(s, 200)}”`;

/** Sentences for the incident's own lifecycle, checklist, notes, follow-ups and refusals. */
export function incidentSentence(e: PostmortemEvent, nameOf: NameOf): string | undefined {
  const d = eventData(e);
  const who = nameOf(e.actor);
  switch (e.kind) {
    case "incident.declared": {
      if (d.storm) return `${who} opened an alert-storm incident: new alert groups are collected here`;
      const opened = e.actor === "alertmanager" ? "opened" : "declared";
      const commander =
        typeof d.commander === "string" && d.commander && d.commander !== e.actor
          ? `, with ${nameOf(d.commander)} as commander`
          : "";
      return `${who} ${opened} a ${text(d.severity)} incident: ${text(d.title, 200)}${commander}`;
    }
    case "incident.acknowledged":
      return `${who} acknowledged the incident`;
    case "incident.mitigated":
      return `${who} marked the incident mitigated`;
    case "incident.resolved":
      return d.summary
        ? `${who} resolved the incident: ${text(d.summary)}`
        : e.actor === "alertmanager"
          ? `${who} resolved the incident: every alert cleared`
          : `${who} resolved the incident`;
    case "incident.reopened":
      return `${who} reopened the incident`;
    case "incident.severity_changed":
      return e.actor === "alertmanager"
        ? `${who} raised the severity from ${text(d.from)} to ${text(d.to)}: a more urgent alert joined`
        : `${who} changed the severity from ${text(d.from)} to ${text(d.to)}`;
    case "incident.role_assigned": {
      const previous = typeof d.previous === "string" && d.previous ? ` (was ${nameOf(d.previous)})` : "";
      return `${who} made ${nameOf(text(d.user))} ${text(d.role)}${previous}`;
    }
    case "incident.note":
      return `${who} noted: ${text(d.text, 1000)}`;
    case "checklist.ticked":
      return `${who} ticked ${quote(d.text)} on the checklist`;
    case "checklist.unticked":
      return `${who} unticked ${quote(d.text)} on the checklist`;
    case "followup.added":
      return `${who} added follow-up ${text(d.number)}: ${text(d.text, 500)}`;
    case "followup.done":
      return `${who} ticked off follow-up ${text(d.number)}: ${text(d.text, 500)}`;
    case "followup.reopened":
      return `${who} reopened follow-up ${text(d.number)}: ${text(d.text, 500)}`;
    case "command.refused":
      return `${who} was refused “${text(d.command, 60)}”: ${text(d.reason)}`;
    case "oncall.override_added":
      return `${who} put ${nameOf(text(d.user))} on call for ${text(d.schedule)} from ${instantText(d.from)} to ${instantText(d.to)}`;
    case "oncall.override_removed":
      return `${who} removed override ${text(d.override)} (${nameOf(text(d.user))} on ${text(d.schedule)})`;
    default:
      return undefined;
  }
}

/** Sentences for what Firebreak did in Slack. */
export function slackSentence(e: PostmortemEvent, nameOf: NameOf): string | undefined {
  const d = eventData(e);
  switch (e.kind) {
    case "slack.message_posted": {
      const body = plainSlackText(text(d.text, 500), nameOf);
      return body ? `${nameOf(e.actor)} posted in Slack: ${body}` : `${nameOf(e.actor)} posted in Slack`;
    }
    case "slack.channel_created":
      return `${nameOf(e.actor)} opened the channel #${text(d.name)}`;
    case "slack.call_failed":
      return `A Slack call failed (${text(d.method)}: ${text(d.error, 200)})`;
    default:
      return undefined;
  }
}

const alertNames = (d: Record<string, unknown>): string[] => {
  const alerts = Array.isArray(d.alerts) ? (d.alerts as Record<string, unknown>[]) : [];
  return [...new Set(alerts.map((a) => text(a.alertname, 80)).filter(Boolean))];
};

function alertsLine(d: Record<string, unknown>, verb: string): string {
  const n = numberOf(d.count) ?? 0;
  const names = alertNames(d);
  return `${plural(n, "alert")} ${verb}${names.length ? `: ${listOf(names)}` : ""}`;
}

/** Sentences for Alertmanager's notifications and what they changed. */
export function alertSentence(e: PostmortemEvent, nameOf: NameOf): string | undefined {
  const d = eventData(e);
  switch (e.kind) {
    case "alert.received": {
      const parts = [
        ["added", "new"],
        ["refired", "firing again"],
        ["resolved", "resolved"],
      ]
        .map(([key, label]) => [numberOf(d[key!]) ?? 0, label] as const)
        .filter(([n]) => n > 0)
        .map(([n, label]) => `${n} ${label}`);
      return `Alertmanager sent a ${text(d.status) || "new"} notification${parts.length ? `: ${parts.join(", ")}` : ", nothing new"}`;
    }
    case "alert.added":
      return alertsLine(d, "started firing");
    case "alert.resolved":
      return alertsLine(d, "resolved");
    case "alert.refired":
      return alertsLine(d, "fired again");
    case "alert.all_resolved":
      return d.action === "auto_resolve"
        ? "Every alert cleared: resolving the incident on its own"
        : "Every alert cleared: resolving is left to a person";
    case "alert.storm_collected":
      return `Alert group ${text(d.name, 120)} joined the storm (${plural(numberOf(d.firing) ?? 0, "alert")} firing)`;
    case "alert.silenced":
      return `${nameOf(e.actor)} silenced the group's alerts for ${text(d.duration)}${d.endsAt ? ` (until ${instantText(d.endsAt)})` : ""}`;
    default:
      return undefined;
  }
}

/** A duration field as "within 15m" (empty when unknown). */
export const within = (v: unknown) => {
  const t = durationText(v);
  return t ? ` within ${t}` : "";
};
