import type { WindowView } from "../alerts/maintenance-windows.js";
import type { HeartbeatConfig } from "../config-schema/intake.js";
import { isWindowActive } from "../core/alerts/maintenance.js";
import type { StoredHeartbeat } from "../store/heartbeats/heartbeats.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";

const time = (d: Date | null) =>
  d
    ? html`<time datetime="${d.toISOString()}">${d.toISOString().replace("T", " ").slice(0, 19)}</time>`
    : "—";

function windowState(v: WindowView, now: Date): string {
  const w = v.window;
  if (isWindowActive(w, now)) return "active";
  if (w.startsAt.getTime() > now.getTime()) return "upcoming";
  return w.releasedAt ? "ended" : "ending";
}

/** The maintenance windows section of GET /incidents: active, upcoming and recently ended, with what they hold back. */
export function renderWindowsSection(views: readonly WindowView[], now: Date): SafeHtml {
  if (views.length === 0)
    return html`<h2>Maintenance windows</h2>
      <p class="muted">
        None active or ended in the last day. Open one with
        <code>/alerts maintenance &lt;matchers&gt; for &lt;duration&gt;</code>.
      </p>`;
  const rows = views.map(
    (v) =>
      html`<tr data-window="${v.window.id}">
        <td>#${v.window.id}</td>
        <td><code>${v.window.matchersText}</code></td>
        <td class="state">${windowState(v, now)}</td>
        <td>${time(v.window.startsAt)}</td>
        <td>
          ${time(v.window.endedAt && v.window.endedAt < v.window.endsAt ? v.window.endedAt : v.window.endsAt)}
        </td>
        <td>${v.window.createdBy}</td>
        <td>${v.window.reason || "—"}</td>
        <td>${v.heldTotal}</td>
      </tr>`,
  );
  return html`<h2>Maintenance windows</h2>
    <table id="maintenance-windows">
      <thead>
        <tr>
          <th>#</th>
          <th>matchers</th>
          <th>state</th>
          <th>from</th>
          <th>until</th>
          <th>by</th>
          <th>reason</th>
          <th>alert groups held back</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

/** The heartbeats section of GET /incidents: each configured heartbeat, its last beat and deadline. */
export function renderHeartbeatsSection(
  configured: readonly HeartbeatConfig[],
  stored: readonly StoredHeartbeat[],
): SafeHtml {
  if (configured.length === 0) return html``;
  const byName = new Map(stored.map((h) => [h.name, h]));
  const rows = configured.map((c) => {
    const h = byName.get(c.name);
    return html`<tr data-heartbeat="${c.name}">
      <td>${c.name}</td>
      <td class="state">${h?.status ?? "waiting"}</td>
      <td>${time(h?.lastBeatAt ?? null)}</td>
      <td>${time(h?.deadlineAt ?? null)}</td>
      <td>${h?.beats ?? 0}</td>
    </tr>`;
  });
  return html`<h2>Heartbeats</h2>
    <table id="heartbeats">
      <thead>
        <tr>
          <th>name</th>
          <th>status</th>
          <th>last beat</th>
          <th>deadline</th>
          <th>beats</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}
