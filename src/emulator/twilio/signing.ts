import { createHmac } from "node:crypto";

/**
 * X-Twilio-Signature as Twilio computes it for a form-encoded webhook: base64 HMAC-SHA1
 * with the auth token over the full URL it requested followed by every POST parameter,
 * sorted by name, as name + value.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}
