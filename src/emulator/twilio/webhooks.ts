/** A webhook the fake posted to the app, and what the app answered. */
export interface WebhookResult {
  /** The URL as Twilio knows it (and signed it). */
  url: string;
  params: Record<string, string>;
  /** The Twilio headers sent (signature, idempotency token). */
  headers: Record<string, string>;
  status: number;
  body: string;
}

/**
 * POSTs `params` form-encoded, the way Twilio calls an app's webhook, to wherever `route`
 * sends `url` (the app behind a proxy); the signature in `headers` is over `url` itself.
 */
export async function postWebhook(
  route: (url: string) => string,
  url: string,
  params: Record<string, string>,
  headers: Record<string, string>,
): Promise<WebhookResult> {
  const res = await fetch(route(url), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "user-agent": "TwilioProxy/1.1",
      accept: "*/*",
      ...headers,
    },
    body: new URLSearchParams(params).toString(),
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
  });
  return { url, params, headers, status: res.status, body: await res.text() };
}
