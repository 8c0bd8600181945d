import type { ContactMethod, ContactMethodType, Person } from "./contact-methods.js";
import { DEFAULT_RULES, PAGE_WEBHOOK_METHOD_ID } from "./contact-methods.js";

/** One delivery of a page: through `method`, due at `dueAt`. */
export interface PlannedDelivery {
  methodId: string;
  type: ContactMethodType;
  /** Address, number, topic or URL; empty for the Slack DM and the install-wide webhook. */
  target: string;
  dueAt: Date;
}

/** A rule that could not be followed, and why (shown to the person in `/oncall me`). */
export interface SkippedRule {
  methodId: string;
  reason: string;
}

/** What the install can deliver through: method types with a configured provider. */
export interface DeliveryCapabilities {
  /** Types whose provider is configured (`slack` always is). */
  available: ReadonlySet<ContactMethodType>;
  /** FIREBREAK_PAGE_WEBHOOK_URL is set: people without rules get it too, as today. */
  pageWebhook: boolean;
}

const PROVIDER_HINT: Record<ContactMethodType, string> = {
  slack: "",
  email: "email is not set up here (SMTP_URL and FIREBREAK_EMAIL_FROM)",
  sms: "SMS is not set up here (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)",
  voice: "voice calls are not set up here (TWILIO_* and FIREBREAK_PUBLIC_URL)",
  ntfy: "push is not set up here (NTFY_URL)",
  webhook: "webhooks are not set up here (FIREBREAK_PAGE_WEBHOOK_SECRET)",
};

/**
 * The deliveries one page makes to `person`, paged at `pagedAt`: one per rule, each
 * `after` the page, in due order. A person without rules gets the Slack DM at once (and
 * the install-wide page webhook, when configured). Unverified methods and methods whose
 * provider is not configured are skipped with the reason.
 */
export function planDeliveries(
  person: Person,
  pagedAt: Date,
  caps: DeliveryCapabilities,
): { deliveries: PlannedDelivery[]; skipped: SkippedRule[] } {
  const at = (ms: number) => new Date(pagedAt.getTime() + ms);
  if (person.rules.length === 0) {
    const deliveries: PlannedDelivery[] = DEFAULT_RULES.map((r) => ({
      methodId: r.methodId,
      type: "slack",
      target: "",
      dueAt: at(r.afterMs),
    }));
    if (caps.pageWebhook)
      deliveries.push({ methodId: PAGE_WEBHOOK_METHOD_ID, type: "webhook", target: "", dueAt: at(0) });
    return { deliveries, skipped: [] };
  }
  const byId = new Map<string, ContactMethod>(person.methods.map((m) => [m.id, m]));
  const deliveries: PlannedDelivery[] = [];
  const skipped: SkippedRule[] = [];
  const seen = new Set<string>();
  for (const rule of person.rules) {
    if (seen.has(rule.methodId)) continue;
    seen.add(rule.methodId);
    const method = byId.get(rule.methodId);
    if (!method) {
      skipped.push({ methodId: rule.methodId, reason: "no such contact method" });
      continue;
    }
    if (!method.verified) {
      skipped.push({ methodId: method.id, reason: "not verified yet" });
      continue;
    }
    if (method.type !== "slack" && !caps.available.has(method.type)) {
      skipped.push({ methodId: method.id, reason: PROVIDER_HINT[method.type] });
      continue;
    }
    deliveries.push({
      methodId: method.id,
      type: method.type,
      target: method.target,
      dueAt: at(rule.afterMs),
    });
  }
  deliveries.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  return { deliveries, skipped };
}
