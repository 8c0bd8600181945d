import { isWindowActive } from "../../core/alerts/maintenance.js";
import { escapeMrkdwn, mentionUser, truncate } from "../../core/mrkdwn.js";
import type { HeldGroup, StoredWindow } from "../../store/maintenance/windows.js";
import type { Block } from "./blocks.js";
import { context, section } from "./blocks.js";
import { slackDate } from "./incident-summary.js";

/** A window and what it holds back, as its announcement and `/alerts maintenance list` show it. */
export interface WindowLines {
  window: StoredWindow;
  held: HeldGroup[];
  heldTotal: number;
}

function state(w: StoredWindow, now: Date): string {
  if (w.endedAt && w.endedAt.getTime() < w.endsAt.getTime())
    return `ended ${slackDate(w.endedAt)}${w.endedBy ? ` by ${mentionUser(w.endedBy)}` : ""}`;
  if (isWindowActive(w, now)) return `active until ${slackDate(w.endsAt)}`;
  return w.startsAt.getTime() > now.getTime()
    ? `starts ${slackDate(w.startsAt)}`
    : `ended ${slackDate(w.endsAt)}`;
}

const groupName = (g: HeldGroup) => {
  const labels = Object.keys(g.groupLabels).length ? g.groupLabels : g.commonLabels;
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(", ");
  return escapeMrkdwn(truncate(text || "alerts", 200));
};

function heldLines(v: WindowLines): string {
  if (v.heldTotal === 0) return "_No alerts held back._";
  const lines = v.held.map(
    (g) =>
      `${g.status === "firing" ? ":red_circle:" : ":large_green_circle:"} ${groupName(g)} — ${g.firing} firing (${escapeMrkdwn(g.source)})`,
  );
  if (v.heldTotal > v.held.length) lines.push(`…and ${v.heldTotal - v.held.length} more groups.`);
  return lines.join("\n");
}

/** The window's announcement, edited in place: what it matches, until when, and the alerts it holds back. */
export function renderWindowAnnouncement(v: WindowLines, now: Date): { text: string; blocks: Block[] } {
  const w = v.window;
  const active = isWindowActive(w, now);
  const head = `:construction: *Maintenance window #${w.id}* (${state(w, now)}), opened by ${mentionUser(w.createdBy)}\nMatchers: \`${escapeMrkdwn(truncate(w.matchersText, 1000))}\`${w.reason ? `\nReason: ${escapeMrkdwn(truncate(w.reason, 500))}` : ""}`;
  const tail = active
    ? "Matching alerts are tracked but open no incident and page nobody. When the window ends, alerts still firing open their incidents."
    : w.releasedAt
      ? "The window is over: alerts that were still firing have opened their incidents."
      : "The window is over: letting go of what it held back…";
  return {
    text: `Maintenance window #${w.id}: ${w.matchersText}`,
    blocks: [section(head), section(`*Held back*\n${heldLines(v)}`), context(tail)],
  };
}

/** `/alerts maintenance list`. */
export function renderWindowList(views: WindowLines[], now: Date): { text: string; blocks?: Block[] } {
  if (views.length === 0)
    return {
      text: "No maintenance windows are active or ended in the last day. Open one with `/alerts maintenance <matchers> for <duration> [reason]`.",
    };
  return {
    text: `${views.length} maintenance windows`,
    blocks: views.slice(0, 15).map((v) => {
      const w = v.window;
      return section(
        truncate(
          `*#${w.id}* \`${escapeMrkdwn(truncate(w.matchersText, 500))}\` — ${state(w, now)}, by ${mentionUser(w.createdBy)}${w.reason ? ` — ${escapeMrkdwn(truncate(w.reason, 200))}` : ""}\n${heldLines(v)}`,
          2900,
        ),
      );
    }),
  };
}
