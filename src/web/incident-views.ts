import type { DescribedEvent, EventTag, NameOf, PostmortemDraft } from "../core/postmortem/index.js";
import { EVENT_TAGS } from "../core/postmortem/index.js";
import type { ChainBreak, StoredEvent } from "../core/timeline/event-hash.js";
import { describeBreak } from "../core/timeline/event-hash.js";
import { humanDuration } from "../core/duration.js";
import { formatInTimeZone } from "../core/time-format.js";
import type { FollowUp } from "../store/follow-ups/follow-ups.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import { renderDeliveries } from "./delivery-views.js";
import type { Incident } from "../store/incidents/incidents.js";
import { html, layout } from "./html.js";
import type { SafeHtml } from "./html.js";
import { renderPostmortem } from "./postmortem-view.js";

const since = (from: Date, to: Date | null) => (to ? humanDuration(to.getTime() - from.getTime()) : "—");
const sev = (s: string) => html`<span class="sev sev-${s}">${s}</span>`;
const time = (d: Date, zone = "UTC") =>
  html`<time datetime="${d.toISOString()}" title="${d.toISOString()}"
    >${formatInTimeZone(d, zone, "yyyy-MM-dd HH:mm:ss")}</time
  >`;

/** GET /incidents: every incident, newest first, with its response times (then `extra`: windows, heartbeats). */
export function renderIncidentList(
  incidents: readonly Incident[],
  now: Date,
  extra: { service?: string; sections?: SafeHtml[]; nameOf?: NameOf } = {},
): string {
  const nameOf = extra.nameOf ?? ((id: string) => id);
  const rows = incidents.map(
    (i) =>
      html`<tr data-incident="${i.id}">
        <td><a href="/incidents/${i.id}">#${i.id}</a></td>
        <td><a href="/incidents/${i.id}">${i.title}</a></td>
        <td>${sev(i.severity)}</td>
        <td class="state">${i.state}</td>
        <td>
          ${i.service ? html`<a href="/incidents?service=${encodeURIComponent(i.service)}">${i.service}</a>` : "—"}
        </td>
        <td title="${i.commander ?? ""}">${i.commander ? nameOf(i.commander) : "—"}</td>
        <td>${humanDuration(now.getTime() - i.declaredAt.getTime())}</td>
        <td>${since(i.declaredAt, i.acknowledgedAt)}</td>
        <td>${i.state === "resolved" ? since(i.declaredAt, i.resolvedAt) : "—"}</td>
      </tr>`,
  );
  return layout(
    "Incidents",
    html`<h1>Incidents${extra.service ? html` of ${extra.service}` : ""}</h1>
      <p><a href="/insights">Insights: response times, on-call load and noisy alerts →</a></p>
      ${
        incidents.length
          ? html`<table id="incidents">
              <thead>
                <tr>
                  <th>#</th>
                  <th>title</th>
                  <th>severity</th>
                  <th>state</th>
                  <th>service</th>
                  <th>commander</th>
                  <th>age</th>
                  <th>time to acknowledge</th>
                  <th>time to resolve</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`
          : html`<p class="muted">
              No incidents yet. Declare one with <code>/incident declare P2 Something broke</code>.
            </p>`
      }
      ${extra.sections ?? []}`,
  );
}

const TAG_LABELS: Record<EventTag, string> = {
  people: "People's actions",
  alerts: "Alerts",
  pages: "Pages",
  runs: "Runs",
  slack: "Slack messages",
};

function timelineFilters(
  incidentId: number,
  described: readonly DescribedEvent[],
  show: EventTag | undefined,
): SafeHtml {
  const link = (tag: EventTag | undefined, label: string, count: number) =>
    html`<a
      href="/incidents/${incidentId}${tag ? `?show=${tag}` : ""}#timeline"
      class="${show === tag ? "on" : ""}"
      data-filter="${tag ?? "all"}"
      >${label} (${count})</a
    >`;
  return html`<nav class="timeline-filters" aria-label="Timeline filters">
    ${link(undefined, "All", described.length)}
    ${EVENT_TAGS.map((t) => link(t, TAG_LABELS[t], described.filter((d) => d.tags.includes(t)).length))}
  </nav>`;
}

function timelineRow(d: DescribedEvent<StoredEvent>, nameOf: NameOf, zone: string): SafeHtml {
  const e = d.event;
  return html`<tr data-kind="${e.kind}" data-seq="${e.seq}" data-tags="${d.tags.join(" ")}">
    <td>${e.seq}</td>
    <td>${time(e.at, zone)}</td>
    <td title="${e.actor}">${nameOf(e.actor)}</td>
    <td class="what">
      <span class="sentence">${d.sentence}</span>
      <details class="raw">
        <summary>raw</summary>
        <pre><code>${JSON.stringify({ kind: e.kind, actor: e.actor, at: e.at.toISOString(), data: e.data }, null, 2)}</code></pre>
      </details>
    </td>
    <td class="mono hash" title="${e.hash}">${e.hash}</td>
  </tr>`;
}

function followUpsSection(
  incidentId: number,
  followUps: readonly FollowUp[],
  nameOf: NameOf,
  zone: string,
): SafeHtml {
  return html`<section class="card" id="follow-ups">
    <h2>Follow-ups</h2>
    ${
      followUps.length
        ? html`<ul class="follow-ups">
            ${followUps.map(
              (f) =>
                html`<li class="${f.doneAt ? "done" : "open"}" data-follow-up="${f.number}">
                  <span aria-hidden="true">${f.doneAt ? "☑" : "☐"}</span>
                  <span class="text">${f.number}. ${f.text}</span>
                  <span class="muted"
                    >added by
                    ${nameOf(f.createdBy)}${
                      f.doneAt && f.doneBy ? html`; done by ${nameOf(f.doneBy)}, ${time(f.doneAt, zone)}` : ""
                    }</span
                  >
                  <form method="post" action="/incidents/${incidentId}/follow-ups/${f.number}">
                    <input type="hidden" name="done" value="${f.doneAt ? "0" : "1"}" />
                    <button type="submit">${f.doneAt ? "Reopen" : "Mark done"}</button>
                  </form>
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">
            None yet. Add one from the incident channel:
            <code>/incident followup &lt;what needs doing&gt;</code>.
          </p>`
    }
  </section>`;
}

/** Everything the incident page shows. */
export interface IncidentPageInput {
  incident: Incident;
  /** The whole timeline, described (the audit check covers all of it, whatever the filter). */
  described: readonly DescribedEvent<StoredEvent>[];
  chainBreak: ChainBreak | null;
  postmortem: PostmortemDraft;
  followUps: readonly FollowUp[];
  nameOf: NameOf;
  show?: EventTag;
  timeZone: string;
  now: Date;
  /** The deliveries of its pages (who was paged how, when, and what became of it). */
  deliveries?: readonly PageDelivery[];
}

/** GET /incidents/:id: details, the verified timeline in sentences, follow-ups and the postmortem draft. */
export function renderIncidentPage(input: IncidentPageInput): string {
  const { incident: i, described, chainBreak, postmortem: pm, nameOf, timeZone: zone } = input;
  const chain = chainBreak
    ? html`<p id="audit" class="broken">Audit chain BROKEN: ${describeBreak(chainBreak)}</p>`
    : html`<p id="audit" class="ok">
        Audit chain verified: ${described.length} events, every hash recomputed.
      </p>`;
  const shown = input.show ? described.filter((d) => d.tags.includes(input.show!)) : described;
  return layout(
    `Incident #${i.id}`,
    html`<h1>#${i.id} ${i.title}</h1>
      <p>
        ${sev(i.severity)} · <span class="state">${i.state}</span> · commander
        <span title="${i.commander ?? ""}">${i.commander ? nameOf(i.commander) : "—"}</span> · declared
        ${time(i.declaredAt, zone)} (${zone}) by
        <span title="${i.declaredBy}">${nameOf(i.declaredBy)}</span
        >${i.channelName ? html` in #${i.channelName}` : ""}
      </p>
      <table>
        <tr>
          <th>age</th>
          <td>${humanDuration(input.now.getTime() - i.declaredAt.getTime())}</td>
          <th>time to acknowledge</th>
          <td id="tta">${since(i.declaredAt, i.acknowledgedAt)}</td>
          <th>time to resolve</th>
          <td id="ttr">${i.state === "resolved" ? since(i.declaredAt, i.resolvedAt) : "—"}</td>
        </tr>
      </table>
      ${chain}
      <p class="no-print">
        Export: <a href="/incidents/${i.id}/timeline.md">Markdown</a> ·
        <a href="/incidents/${i.id}/timeline.json">JSON</a> ·
        <a href="/incidents/${i.id}/postmortem.md">postmortem draft (Markdown)</a>
      </p>
      ${followUpsSection(i.id, input.followUps, nameOf, zone)} ${renderDeliveries(input.deliveries ?? [])}
      <h2>Timeline</h2>
      ${timelineFilters(i.id, described, input.show)}
      <table id="timeline" data-show="${input.show ?? "all"}">
        <thead>
          <tr>
            <th>#</th>
            <th>time (${zone})</th>
            <th>who</th>
            <th>what</th>
            <th>hash</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map((d) => timelineRow(d, nameOf, zone))}
        </tbody>
      </table>
      ${shown.length ? "" : html`<p class="muted">No events of that kind.</p>`} ${renderPostmortem(pm)}`,
  );
}
