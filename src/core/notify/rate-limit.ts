import type { ContactMethodType } from "./contact-methods.js";

/** At most one SMS, call or email a minute to one number or address (GoAlert's rule). */
export const RATE_LIMIT_MS = 60_000;

/** How many pages one bundled message names at most; the rest wait for the next one. */
export const MAX_BUNDLE: Readonly<Record<ContactMethodType, number>> = {
  slack: 1,
  webhook: 1,
  ntfy: 1,
  sms: 10,
  voice: 5,
  email: 25,
};

/** Whether messages of `type` are rate limited per number or address (and so bundled). */
export function isRateLimited(type: ContactMethodType): boolean {
  return type === "sms" || type === "voice" || type === "email";
}

/**
 * When the next message of `type` to one target may go, given when the last one went:
 * `now` when it may go at once. Slack, ntfy and webhooks are not limited here.
 */
export function nextAllowedSend(type: ContactMethodType, lastSentAt: Date | null, now: Date): Date {
  if (!isRateLimited(type) || lastSentAt === null) return now;
  const allowed = lastSentAt.getTime() + RATE_LIMIT_MS;
  return allowed > now.getTime() ? new Date(allowed) : now;
}
