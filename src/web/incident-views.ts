import type { PostmortemDraft } from "../core/postmortem/index.js";
import { describePostmortemEvent } from "../core/postmortem/index.js";
import type { ChainBreak, StoredEvent } from "../core/timeline/event-hash.js";
import { describeBreak } from "../core/timeline/event-hash.js";
import { humanDuration } from "../core/duration.js";
import type { Incident } from "../store/incidents/incidents.js";
import { html, layout } from "./html.js";
import type { SafeHtml } from "./html.js";

const since = (from: Date, to: Date | null) => (to ? humanDuration(to.getTime() - from.getTime()) : "—");
const sev = (s: string) => html`<span class="sev sev-${s}">${s}</span>`;
const time = (d: Date) =>
  html`<time datetime="${d.toISOString()}">${d.toISOString().replace("T", " ").slice(0, 19)}</time>`;

/** GET /incidents: every incident, newest first, with its response times (then `extra`: windows, heartbeats). */
export function renderIncidentList(
  incidents: readonly Incident[],
  now: Date,
  extra: { service?: string; sections?: SafeHtml[] } = {},
): string {
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
        <td>${i.commander ?? "—"}</td>
        <td>${humanDuration(now.getTime() - i.declaredAt.getTime())}</td>
        <td>${since(i.declaredAt, i.acknowledgedAt)}</td>
        <td>${i.state === "resolved" ? since(i.declaredAt, i.resolvedAt) : "—"}</td>
      </tr>`,
  );
  return layout(
    "Incidents",
    html`<h1>Incidents${extra.service ? html` of ${extra.service}` : ""}</h1>
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

/** GET /incidents/:id: details, the verified timeline, export links and the postmortem draft. */
export function renderIncidentPage(input: {
  incident: Incident;
  events: readonly StoredEvent[];
  chainBreak: ChainBreak | null;
  postmortem: PostmortemDraft;
  now: Date;
}): string {
  const { incident: i, events, chainBreak, postmortem: pm } = input;
  const chain = chainBreak
    ? html`<p id="audit" class="broken">Audit chain BROKEN: ${describeBreak(chainBreak)}</p>`
    : html`<p id="audit" class="ok">
        Audit chain verified: ${events.length} events, every hash recomputed.
      </p>`;
  const rows = events.map(
    (e) =>
      html`<tr data-kind="${e.kind}">
        <td>${e.seq}</td>
        <td>${time(e.at)}</td>
        <td>${e.actor}</td>
        <td><code>${e.kind}</code></td>
        <td>${describePostmortemEvent(e)}</td>
        <td class="mono" title="${e.hash}">${e.hash.slice(0, 12)}</td>
      </tr>`,
  );
  return layout(
    `Incident #${i.id}`,
    html`<h1>#${i.id} ${i.title}</h1>
      <p>
        ${sev(i.severity)} · <span class="state">${i.state}</span> · commander ${i.commander ?? "—"} ·
        declared ${time(i.declaredAt)} by ${i.declaredBy}${i.channelName ? html` in #${i.channelName}` : ""}
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
      <p>
        Export: <a href="/incidents/${i.id}/timeline.md">Markdown</a> ·
        <a href="/incidents/${i.id}/timeline.json">JSON</a> ·
        <a href="/incidents/${i.id}/postmortem.md">postmortem draft (Markdown)</a>
      </p>
      <h2>Timeline</h2>
      <table id="timeline">
        <thead>
          <tr>
            <th>#</th>
            <th>time (UTC)</th>
            <th>actor</th>
            <th>kind</th>
            <th>what</th>
            <th>hash</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
      ${renderPostmortem(pm)}`,
  );
}

function renderPostmortem(pm: PostmortemDraft): SafeHtml {
  const d = (ms: number | null) => (ms === null ? "—" : humanDuration(ms));
  return html`<section class="card" id="postmortem">
    <h2>Postmortem draft</h2>
    <h3>Summary</h3>
    <p>${pm.summary}</p>
    <h3>Impact</h3>
    <p>${pm.impact}</p>
    <h3>Response times</h3>
    <ul>
      <li>Time to acknowledge: ${d(pm.timeToAcknowledgeMs)}</li>
      <li>Time to mitigate: ${d(pm.timeToMitigateMs)}</li>
      <li>Time to resolve: ${d(pm.timeToResolveMs)}</li>
    </ul>
    <h3>Timeline</h3>
    <ul>
      ${pm.timeline.map((t) => html`<li><span class="mono">${t.offset}</span> ${t.actor}: ${t.text}</li>`)}
    </ul>
    <h3>Actions run</h3>
    ${
      pm.actionsRun.length
        ? html`<ul>
            ${pm.actionsRun.map(
              (r) =>
                html`<li>
                  <code>${r.command}</code> by ${r.actor}:
                  ${r.outcome}${r.approvedBy ? ` (approved by ${r.approvedBy})` : ""}
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">None recorded.</p>`
    }
    <h3>Follow-ups</h3>
    ${
      pm.followUps.length
        ? html`<ul>
            ${pm.followUps.map((f) => html`<li>${f}</li>`)}
          </ul>`
        : html`<p class="muted">None identified yet.</p>`
    }
  </section>`;
}
