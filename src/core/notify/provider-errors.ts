/** Whether a provider error is worth a retry (the provider or the network, not the message). */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "dependency_unavailable" || code === "rate_limited" || code === "timeout";
}

/**
 * Whether a failed send may still have reached the provider: it timed out, or the connection
 * broke after the request went out. Such a send is checked with the provider (where it can
 * be asked) before it counts as failed and is made again.
 */
export function mayHaveReached(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return e.code === "timeout" || (e.code === "dependency_unavailable" && e.cause?.code === "ECONNRESET");
}

/** Hides phone numbers and addresses in provider error text (it reaches channels and logs). */
export function redactContact(text: string): string {
  return text
    .replace(/\+?\d[\d ()-]{6,}\d/g, (m) => `${m.slice(0, 3)}…${m.slice(-2)}`)
    .replace(/[^\s<>"'@]+@[^\s<>"'@]+\.[A-Za-z]{2,}/g, (m) => `${m.slice(0, 1)}…@${m.split("@")[1] ?? ""}`);
}
