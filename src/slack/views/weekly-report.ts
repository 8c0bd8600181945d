import { alertGroupName } from "../../core/insights/figures.js";
import type { MeanWithChange, WeeklyReport } from "../../core/insights/weekly-report.js";
import { humanDuration } from "../../core/duration.js";
import { escapeMrkdwn, safeLink, truncate } from "../../core/mrkdwn.js";
import { capBlocks, context, fields, header, section } from "./blocks.js";
import type { Block } from "./blocks.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const day = (d: string) => `${MONTHS[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}`;

/** "12m (3m faster than the week before's 15m)". */
export function meanText(m: MeanWithChange): string {
  if (m.ms === null) return "—";
  const now = humanDuration(m.ms);
  if (m.previousMs === null || m.changeMs === null) return `${now} (nothing to compare with the week before)`;
  if (Math.abs(m.changeMs) < 1000) return `${now} (as the week before)`;
  const faster = m.changeMs < 0;
  return `${now} (${faster ? ":arrow_down_small:" : ":arrow_up_small:"} ${humanDuration(Math.abs(m.changeMs))} ${faster ? "faster" : "slower"} than the week before's ${humanDuration(m.previousMs)})`;
}

const bullets = (lines: string[], empty: string) =>
  lines.length ? lines.map((l) => `• ${l}`).join("\n") : `_${empty}_`;

/**
 * The weekly report as a Slack message: last week's incidents by severity, MTTA and MTTR
 * against the week before, breaches, the three noisiest alerts, on-call load with night
 * pages, postmortems still due and open follow-ups, and a link to /insights.
 */
export function renderWeeklyReport(
  r: WeeklyReport,
  insightsUrl: string | undefined,
): { text: string; blocks: Block[] } {
  const sev = r.bySeverity.filter((s) => s.incidents > 0).map((s) => `${s.severity} ${s.incidents}`);
  const noisy = r.noisiest.map(
    (a) =>
      `${escapeMrkdwn(truncate(alertGroupName(a.labels, a.groupKey), 120))}: fired ${a.fired}, ${a.resolvedOnOwn} resolved on their own${a.medianDurationMs === null ? "" : `, median ${humanDuration(a.medianDurationMs)}`}`,
  );
  const load = r.load
    .slice(0, 10)
    .map(
      (l) =>
        `${escapeMrkdwn(l.name)}: ${l.pages} ${l.pages === 1 ? "page" : "pages"}, ${l.nightPages} at night`,
    );
  const due = r.postmortemsDue.oldest.map(
    (p) =>
      `#${p.incidentId} ${escapeMrkdwn(truncate(p.title, 100))} (resolved ${p.resolvedAt.toISOString().slice(0, 10)})`,
  );
  const followUps = r.openFollowUps.oldest.map(
    (f) => `#${f.incidentId} follow-up ${f.number}: ${escapeMrkdwn(truncate(f.text, 150))}`,
  );
  const more = (total: number, shown: number) => (total > shown ? `\n_…and ${total - shown} more_` : "");
  const blocks: Block[] = [
    header(`Weekly on-call report · ${day(r.week.start)} – ${day(r.week.end)}`),
    fields([
      `*Incidents*\n${r.incidents}${sev.length ? ` (${sev.join(" · ")})` : ""}`,
      `*Response targets missed*\n${r.breaches}`,
      `*MTTA* (mean time to acknowledge)\n${meanText(r.mtta)}`,
      `*MTTR* (mean time to resolve)\n${meanText(r.mttr)}`,
    ]),
    section(`*Noisiest alerts*\n${bullets(noisy, "No alerts fired.")}`),
    section(
      `*On-call load* (night: 22:00–07:00 on each person's clock)\n${bullets(load, "Nobody was paged.")}`,
    ),
    section(
      `*Postmortems still due*: ${r.postmortemsDue.total}\n${bullets(due, "None.")}${more(r.postmortemsDue.total, due.length)}`,
    ),
    section(
      `*Open follow-ups*: ${r.openFollowUps.total}\n${bullets(followUps, "None.")}${more(r.openFollowUps.total, followUps.length)}`,
    ),
    context(
      insightsUrl
        ? `Charts and tables for the week: ${safeLink(insightsUrl, "Insights")}`
        : "Charts and tables: /insights on Firebreak (set FIREBREAK_PUBLIC_URL to link them here).",
    ),
  ];
  return {
    text: `Weekly on-call report, ${r.week.start} to ${r.week.end}: ${r.incidents} incidents, ${r.breaches} response targets missed.`,
    blocks: capBlocks(blocks),
  };
}
