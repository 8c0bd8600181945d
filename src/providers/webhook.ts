import { createHmac } from "node:crypto";
import { FirebreakError } from "../core/errors.js";
import { truncate } from "../core/mrkdwn.js";
import type { OutboundMessage, PageProvider } from "../core/ports.js";

/** Headers of a page webhook request. */
export const WEBHOOK_HEADERS = {
  timestamp: "x-firebreak-timestamp",
  signature: "x-firebreak-signature",
  delivery: "x-firebreak-delivery",
} as const;

/**
 * The signature a receiver checks: `v1=` + hex HMAC-SHA256 with the shared secret over
 * `v1:<timestamp>:<raw body>` (timestamp in Unix seconds; reject ones more than 5 minutes off).
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`v1:${timestamp}:${body}`).digest("hex")}`;
}

/**
 * The signed page webhook (FIREBREAK_PAGE_WEBHOOK_URL, or a webhook contact method): a JSON
 * POST an SMS or phone gateway takes. Any answer but 2xx, or none, is worth a retry;
 * receivers dedupe on `idempotency_key` or the delivery header.
 */
export function createWebhookProvider(now: () => Date = () => new Date()): PageProvider {
  return {
    async send(m: OutboundMessage) {
      if (m.type !== "webhook")
        throw new FirebreakError("internal", `the webhook cannot send ${m.type} messages`);
      const timestamp = Math.floor(now().getTime() / 1000);
      let res: Response;
      try {
        res = await fetch(m.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [WEBHOOK_HEADERS.timestamp]: String(timestamp),
            [WEBHOOK_HEADERS.signature]: signWebhook(m.secret, timestamp, m.body),
            [WEBHOOK_HEADERS.delivery]: String(m.deliveryId),
          },
          body: m.body,
          redirect: "manual",
          signal: AbortSignal.timeout(m.timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        const timedOut = (err as Error).name === "TimeoutError";
        throw new FirebreakError(
          timedOut ? "timeout" : "dependency_unavailable",
          truncate(`${timedOut ? "timed out" : (err as Error).message}${cause ? ` (${cause})` : ""}`, 300),
          { cause: err },
        );
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ref: null };
      throw new FirebreakError("dependency_unavailable", `HTTP ${res.status}`);
    },
  };
}
