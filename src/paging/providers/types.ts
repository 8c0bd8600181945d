import type { NtfyMessage } from "../../core/notify/page-messages.js";

/** One message out through one provider, already rendered for its medium. */
export type OutboundMessage =
  | { type: "sms"; to: string; body: string; statusCallback?: string }
  /** A call that fetches its TwiML from `url` (a page), or runs `twiml` inline (a verification code). */
  | { type: "voice"; to: string; url?: string; twiml?: string; statusCallback?: string }
  | { type: "email"; to: string; subject: string; text: string; html: string; messageId: string }
  | { type: "ntfy"; topic: string; message: NtfyMessage }
  | { type: "webhook"; url: string; secret: string; body: string; deliveryId: number; timeoutMs: number };

/** What the provider took: its own id for the message, when it has one (Twilio SID, ntfy id). */
export interface SendReceipt {
  ref: string | null;
}

/**
 * A way out for pages (Twilio, SMTP, ntfy, a webhook). `send` resolves once the provider
 * has taken the message, or throws a FirebreakError: `dependency_unavailable`,
 * `rate_limited` or `timeout` when a retry may succeed, anything else when it cannot.
 * `findSent` answers, after a worker died mid-send, whether the provider took that
 * message after `since` (its ref), `null` when it did not, `undefined` when it cannot tell.
 */
export interface PageProvider {
  send(message: OutboundMessage): Promise<SendReceipt>;
  findSent?(message: OutboundMessage, since: Date): Promise<string | null | undefined>;
  close?(): Promise<void>;
}

/** Whether a provider error is worth a retry (the provider or the network, not the message). */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "dependency_unavailable" || code === "rate_limited" || code === "timeout";
}

/** Hides phone numbers and addresses in provider error text (it reaches channels and logs). */
export function redactContact(text: string): string {
  return text
    .replace(/\+?\d[\d ()-]{6,}\d/g, (m) => `${m.slice(0, 3)}…${m.slice(-2)}`)
    .replace(/[^\s<>"'@]+@[^\s<>"'@]+\.[A-Za-z]{2,}/g, (m) => `${m.slice(0, 1)}…@${m.split("@")[1] ?? ""}`);
}
