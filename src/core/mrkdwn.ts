/**
 * Escapes untrusted text for Slack mrkdwn: Slack requires exactly `&`, `<` and `>` to be
 * escaped, which also neutralises `<!channel>`, `<@U…>` and `<https://…|links>`.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Truncates to `max` characters (counting the ellipsis). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? text.slice(0, max) : `${text.slice(0, max - 1)}…`;
}

/** `<@U123>` for a Slack user id, validated so that it cannot smuggle markup. */
export function mentionUser(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** A link only when the URL is http(s); otherwise the escaped text. */
export function safeLink(url: string | undefined, label: string): string {
  if (!url) return escapeMrkdwn(label);
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return escapeMrkdwn(label);
    return `<${u.toString().replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
  } catch {
    return escapeMrkdwn(label);
  }
}

/** Text ending a sentence: a full stop added unless it already ends with one (or ? ! …). */
export function endSentence(text: string): string {
  return /[.!?…]$/.test(text.trimEnd()) ? text.trimEnd() : `${text.trimEnd()}.`;
}
