import { FirebreakError } from "../core/errors.js";
import { PAGE_WEBHOOK_METHOD_ID } from "../core/notify/contact-methods.js";
import { emailMessage, ntfyMessage, smsText } from "../core/notify/page-messages.js";
import type { PageSummary } from "../core/notify/page-messages.js";
import { signAckToken } from "../core/notify/signed-tokens.js";
import type { OutboundMessage } from "../core/ports.js";
import type { PageDelivery } from "../store/deliveries/page-deliveries.js";
import { getPageAcks } from "../store/escalations/page-acks.js";
import { getIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { getSigningKey } from "../store/links/signing-keys.js";
import type { Queryable } from "../store/pool.js";
import type { PagingContext } from "./context.js";

/** Where Twilio posts a call's key presses and status: the call's lead delivery names the pages. */
export const voiceUrl = (publicUrl: string, leadId: number) => `${publicUrl}/twilio/voice?delivery=${leadId}`;
export const statusUrl = (publicUrl: string, leadId: number) =>
  `${publicUrl}/twilio/status?delivery=${leadId}`;

/**
 * The pages `deliveries` carry, as their messages show them: incident, severity, title, ack
 * code, why, and — with FIREBREAK_PUBLIC_URL — a signed single-use ack link for the medium
 * and the incident's page.
 */
export async function pageSummaries(
  tx: Queryable,
  ctx: Pick<PagingContext, "settings">,
  deliveries: readonly Pick<PageDelivery, "pageId" | "incidentId" | "methodType">[],
): Promise<PageSummary[]> {
  const acks = new Map(
    (
      await getPageAcks(
        tx,
        deliveries.map((d) => d.pageId),
      )
    ).map((a) => [a.pageId, a]),
  );
  const incidents = new Map<number, Incident>();
  for (const id of new Set(deliveries.map((d) => d.incidentId))) {
    const incident = await getIncident(tx, id);
    if (incident) incidents.set(id, incident);
  }
  const publicUrl = ctx.settings.publicUrl;
  const key = publicUrl ? await getSigningKey(tx) : null;
  return deliveries.flatMap((d) => {
    const incident = incidents.get(d.incidentId);
    const ack = acks.get(d.pageId);
    if (!incident || !ack) return [];
    const ackUrl =
      publicUrl && key && ack.ackNonce && ack.ackExpiresAt
        ? `${publicUrl}/ack/${signAckToken(key, {
            pageId: ack.pageId,
            via: d.methodType === "email" ? "email" : "link",
            expiresAt: ack.ackExpiresAt,
            nonce: ack.ackNonce,
          })}`
        : undefined;
    return [
      {
        incidentId: incident.id,
        severity: incident.severity,
        title: incident.title,
        ackCode: ack.ackCode ?? "----",
        cause: ack.reason === "escalation" ? `Escalation step ${ack.step + 1}` : "Paged directly",
        ...(ackUrl ? { ackUrl } : {}),
        ...(publicUrl ? { incidentUrl: `${publicUrl}/incidents/${incident.id}` } : {}),
      },
    ];
  });
}

/** The one message a delivery (and the deliveries bundled with it) sends, rendered for its medium. */
export async function renderDelivery(
  tx: Queryable,
  ctx: Pick<PagingContext, "settings">,
  lead: PageDelivery,
  mates: readonly PageDelivery[],
): Promise<OutboundMessage> {
  const { settings } = ctx;
  if (lead.methodType === "webhook") {
    const url = lead.methodId === PAGE_WEBHOOK_METHOD_ID ? settings.webhook?.url : lead.target;
    const secret =
      lead.methodId === PAGE_WEBHOOK_METHOD_ID ? settings.webhook?.secret : settings.webhookSecret;
    if (!url || !secret)
      throw new FirebreakError(
        "config_invalid",
        "the page webhook is no longer configured (FIREBREAK_PAGE_WEBHOOK_*)",
      );
    return {
      type: "webhook",
      url,
      secret,
      body: JSON.stringify(lead.body),
      deliveryId: lead.id,
      timeoutMs: settings.webhookTimeoutMs,
    };
  }
  const pages = await pageSummaries(tx, ctx, [lead, ...mates]);
  if (pages.length === 0) throw new FirebreakError("not_found", "the page or its incident is gone");
  const callback = settings.publicUrl ? { statusCallback: statusUrl(settings.publicUrl, lead.id) } : {};
  switch (lead.methodType) {
    case "sms":
      return { type: "sms", to: lead.target, body: smsText(pages), ...callback };
    case "voice":
      if (!settings.publicUrl)
        throw new FirebreakError("config_invalid", "voice calls need FIREBREAK_PUBLIC_URL");
      return { type: "voice", to: lead.target, url: voiceUrl(settings.publicUrl, lead.id), ...callback };
    case "email":
      return {
        type: "email",
        to: lead.target,
        ...emailMessage(pages),
        messageId: `<page-delivery-${lead.id}@firebreak>`,
      };
    case "ntfy":
      return { type: "ntfy", topic: lead.target, message: ntfyMessage(pages[0]!) };
    case "slack":
      throw new FirebreakError("internal", "the Slack DM goes through the outbox");
  }
}
