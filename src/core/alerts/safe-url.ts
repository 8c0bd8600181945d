/** Slack's limit on a URL in a link; anything longer is refused rather than cut. */
const MAX_URL_LENGTH = 3000;

/**
 * The URL, normalised, when it is an absolute http(s) URL without credentials; otherwise
 * undefined. Alert annotations and `generatorURL` are written by whoever writes the rules:
 * `javascript:`, `file:`, `slack://` links and `https://trusted@evil.example` tricks are
 * dropped. Characters that would break Slack's `<url|label>` syntax are percent-encoded,
 * so the result can go into a link as it is (`safeLink` in core/mrkdwn.ts renders one).
 */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  if (parsed.username !== "" || parsed.password !== "") return undefined;
  const href = parsed.href.replace(/[<>|]/g, encodeURIComponent);
  return href.length <= MAX_URL_LENGTH ? href : undefined;
}
