import { createHmac } from "node:crypto";

/**
 * The headers Slack adds to every request it sends an app: a v0 HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` keyed by the signing secret, and the timestamp itself.
 */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSec: number,
): Record<string, string> {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest("hex");
  return {
    "x-slack-signature": `v0=${digest}`,
    "x-slack-request-timestamp": String(timestampSec),
  };
}
