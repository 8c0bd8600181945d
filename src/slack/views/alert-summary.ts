import { safeHttpUrl } from "../../core/alerts/safe-url.js";
import type { AlertLink, AlertStatus, LabelSet } from "../../core/alerts/types.js";
import { escapeMrkdwn, mentionUser, safeLink, truncate } from "../../core/mrkdwn.js";
import { ACTION } from "../ids.js";
import type { Block } from "./blocks.js";
import { LIMITS, actions, context, option, section } from "./blocks.js";
import { slackDate } from "./incident-summary.js";

/** Alerts rendered at most in a summary (the section's 3000 characters usually end it first). */
export const MAX_ALERTS_SHOWN = 20;

/** One alert as the summary shows it. */
export interface AlertLine {
  status: AlertStatus;
  labels: LabelSet;
  annotations: LabelSet;
  generatorUrl: string;
  startsAt: Date;
  /** Links its source sent: buttons, when http(s). */
  links?: readonly AlertLink[];
}

/** What the summary says about an incident's alert group. */
export interface AlertGroupView {
  incidentId: number;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  firing: number;
  resolved: number;
  truncatedAlerts: number;
  alerts: AlertLine[];
  escalationPolicy: string | null;
  silence: { until: Date; by: string | null } | null;
  /** Durations the Silence control offers; empty: no control (ALERTMANAGER_URL unset, or resolved). */
  silenceDurations: string[];
}

const labelPairs = (labels: LabelSet, skip: LabelSet = {}, omitAlertname = true) =>
  Object.keys(labels)
    .sort()
    .filter((k) => !(omitAlertname && k === "alertname") && skip[k] !== labels[k])
    .map((k) => `${escapeMrkdwn(truncate(k, 60))}=${escapeMrkdwn(truncate(labels[k]!, 100))}`)
    .join(", ");

function alertLine(a: AlertLine, common: LabelSet): string {
  const icon = a.status === "firing" ? ":red_circle:" : ":large_green_circle:";
  const name = escapeMrkdwn(truncate(a.labels.alertname ?? "alert", 100));
  const pairs = labelPairs(a.labels, common);
  const summary = a.annotations.summary ?? a.annotations.description;
  const links = [
    ...(safeHttpUrl(a.annotations.runbook_url)
      ? [safeLink(safeHttpUrl(a.annotations.runbook_url), "runbook")]
      : []),
    ...(safeHttpUrl(a.generatorUrl) ? [safeLink(safeHttpUrl(a.generatorUrl), "source")] : []),
  ];
  return [
    `${icon} *${name}*${pairs ? ` ${pairs}` : ""}`,
    summary ? ` — ${escapeMrkdwn(truncate(summary, 300))}` : "",
    links.length ? ` · ${links.join(" · ")}` : "",
  ].join("");
}

/**
 * The alert part of an incident's pinned summary: counts, the group, its alerts (firing
 * first; every label and annotation escaped, links only for http(s) URLs), what was left
 * out and the Silence control. At most three blocks, each within Block Kit's limits.
 */
export function renderAlertGroupBlocks(v: AlertGroupView): Block[] {
  const group =
    labelPairs(v.groupLabels, {}, false) ||
    escapeMrkdwn(truncate(v.commonLabels.alertname ?? "all alerts", 100));
  const head = [
    `*Alerts* :fire: ${v.firing} firing · :white_check_mark: ${v.resolved} resolved · group ${truncate(group, 600)}`,
    v.escalationPolicy ? `Escalation policy: ${escapeMrkdwn(truncate(v.escalationPolicy, 100))}` : "",
    v.silence && v.silence.until.getTime() > 0
      ? `:mute: Silenced until ${slackDate(v.silence.until)}${v.silence.by ? ` by ${mentionUser(v.silence.by)}` : ""}`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
  const accessory =
    v.silenceDurations.length > 0
      ? {
          type: "static_select",
          action_id: ACTION.silence,
          placeholder: { type: "plain_text", text: "Silence…" },
          options: v.silenceDurations.map((d) => option(`Silence ${d}`, `${v.incidentId}:${d}`)),
        }
      : undefined;
  const blocks: Block[] = [section(head, accessory)];
  const lines: string[] = [];
  let used = 0;
  for (const a of v.alerts.slice(0, MAX_ALERTS_SHOWN)) {
    const line = alertLine(a, v.commonLabels);
    // Leave room in the section for the last line; a cut line would break a link.
    if (used + line.length + 1 > LIMITS.section - 100) break;
    lines.push(line);
    used += line.length + 1;
  }
  if (lines.length) blocks.push(section(lines.join("\n")));
  const buttons = linkButtons(v.alerts.slice(0, MAX_ALERTS_SHOWN));
  if (buttons.length) blocks.push(actions(`alert-links:${v.incidentId}`, buttons));
  const known = v.firing + v.resolved;
  const notes: string[] = [];
  if (known > lines.length) notes.push(`${known - lines.length} more alerts not shown.`);
  if (v.truncatedAlerts > 0) notes.push(`${v.truncatedAlerts} more alerts truncated by Alertmanager.`);
  if (notes.length) blocks.push(context(notes.join(" ")));
  return blocks;
}

/** At most this many link buttons (Block Kit allows 25 elements in an actions block). */
const MAX_LINK_BUTTONS = 5;

/**
 * The alerts' links as URL buttons, firing alerts' first: only absolute http(s) URLs
 * without credentials (`safeHttpUrl`), each URL once, labelled by the source or its host.
 */
function linkButtons(alerts: readonly AlertLine[]): Block[] {
  const seen = new Set<string>();
  const out: Block[] = [];
  for (const a of alerts)
    for (const link of a.links ?? []) {
      const url = safeHttpUrl(link.url);
      if (!url || seen.has(url) || out.length >= MAX_LINK_BUTTONS) continue;
      seen.add(url);
      const label = link.text.trim() || new URL(url).host;
      out.push({
        type: "button",
        text: { type: "plain_text", text: truncate(label, LIMITS.buttonText), emoji: false },
        url,
        action_id: `${ACTION.link}.${out.length}`,
      });
    }
  return out;
}

/** A group collected by a storm incident, as its summary lists it. */
export interface StormMemberLine {
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  status: AlertStatus;
  firing: number;
  resolved: number;
  truncatedAlerts: number;
}

/** The storm incident's part of the summary: how many groups, and as many as fit. */
export function renderStormBlocks(v: {
  members: StormMemberLine[];
  total: number;
  firingGroups: number;
}): Block[] {
  const head = `*Alert storm* :cyclone: ${v.total} alert groups collected here · ${v.firingGroups} still firing`;
  const lines: string[] = [];
  let used = 0;
  for (const m of v.members) {
    const name =
      labelPairs(m.groupLabels, {}, false) ||
      escapeMrkdwn(truncate(m.commonLabels.alertname ?? "alerts", 100));
    const icon = m.status === "firing" ? ":red_circle:" : ":large_green_circle:";
    const more = m.truncatedAlerts > 0 ? ` (+${m.truncatedAlerts} truncated)` : "";
    const line = `${icon} ${truncate(name, 300)} — ${m.firing} firing, ${m.resolved} resolved${more}`;
    if (used + line.length + 1 > LIMITS.section - 100) break;
    lines.push(line);
    used += line.length + 1;
  }
  const blocks: Block[] = [section(head)];
  if (lines.length) blocks.push(section(lines.join("\n")));
  if (v.total > lines.length) blocks.push(context(`${v.total - lines.length} more groups not shown.`));
  return blocks;
}
