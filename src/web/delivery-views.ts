import { maskTarget } from "../core/notify/contact-methods.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";

/** One delivery as the incident page and the console show it (who, how, when, outcome); never a full number or address. */
export interface DeliveryView {
  id: number;
  incident: number;
  page: number;
  user: string;
  method: string;
  type: PageDelivery["methodType"];
  to: string;
  due_at: string;
  sent_at: string | null;
  status: PageDelivery["status"];
  attempts: number;
  outcome: string;
}

const MEDIUM: Record<PageDelivery["methodType"], string> = {
  slack: "Slack DM",
  email: "email",
  sms: "SMS",
  voice: "call",
  ntfy: "push",
  webhook: "webhook",
};

/** What became of a delivery, in words. */
export function deliveryOutcome(d: PageDelivery): string {
  const tries = `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`;
  switch (d.status) {
    case "delivered":
      return `${d.bundledInto ? `sent with #${d.bundledInto}` : "sent"}${d.lastError ? ` (then: ${d.lastError})` : ""}`;
    case "withdrawn":
      return "withdrawn: answered before it was due";
    case "dead":
      return `failed for good after ${tries}: ${d.lastError ?? "?"}`;
    case "pending":
      if (d.attemptStartedAt) return "sending…";
      return d.attempts > 0 ? `retrying (${tries}, last: ${d.lastError ?? "?"})` : "due";
  }
}

export function deliveryView(d: PageDelivery): DeliveryView {
  return {
    id: d.id,
    incident: d.incidentId,
    page: d.pageId,
    user: d.userId,
    method: d.methodId,
    type: d.methodType,
    to: d.target ? maskTarget(d.methodType, d.target) : d.methodType === "webhook" ? "page webhook" : "",
    due_at: d.dueAt.toISOString(),
    sent_at: d.sentAt?.toISOString() ?? null,
    status: d.status,
    attempts: d.attempts,
    outcome: deliveryOutcome(d),
  };
}

const hhmmss = (iso: string | null) => (iso ? iso.slice(11, 19) : "—");

/** The incident page's "Pages and deliveries" table. */
export function renderDeliveries(deliveries: readonly PageDelivery[]): SafeHtml {
  if (deliveries.length === 0) return html``;
  const rows = deliveries.map(deliveryView).map(
    (d) =>
      html`<tr data-status="${d.status}">
        <td>${d.page}</td>
        <td>${d.user}</td>
        <td>${MEDIUM[d.type]} <code>${d.method}</code> ${d.to}</td>
        <td>${hhmmss(d.due_at)}</td>
        <td>${hhmmss(d.sent_at)}</td>
        <td>${d.outcome}</td>
      </tr>`,
  );
  return html`<h2>Pages and deliveries</h2>
    <table id="deliveries">
      <thead>
        <tr>
          <th>page</th>
          <th>who</th>
          <th>how</th>
          <th>due (UTC)</th>
          <th>sent (UTC)</th>
          <th>outcome</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}
