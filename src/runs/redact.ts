/** Removes secrets from text before it reaches Slack, the timeline or a log line. */
export interface Redactor {
  text(s: string): string;
  /** Redacts every string inside a JSON-like value. */
  value<T>(v: T): T;
}

const MASK = "[redacted]";

const PATTERNS: readonly [RegExp, string][] = [
  // Passwords in URLs: scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s/:@]*:)[^\s@/]+@/gi, `$1${MASK}@`],
  // Slack tokens, app tokens and webhook URLs.
  [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, MASK],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, MASK],
  [/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g, `hooks.slack.com/services/${MASK}`],
  // Authorization headers and bearer tokens.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${MASK}`],
  // JSON web tokens.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK],
  // AWS access key ids and GitHub tokens.
  [/\bAKIA[0-9A-Z]{16}\b/g, MASK],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, MASK],
  // key=value and key: value for secret-sounding keys (connection strings, env dumps, logs).
  [
    /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi,
    `$1$2${MASK}`,
  ],
  // MySQL and Postgres statements that carry a password.
  [/\b(IDENTIFIED\s+(?:BY|WITH\s+\S+\s+(?:BY|AS))\s+)('[^']*'|"[^"]*")/gi, `$1'${MASK}'`],
  [/\b(PASSWORD\s+)('[^']*'|"[^"]*")/gi, `$1'${MASK}'`],
];

/** A redactor for the built-in patterns plus these literal secret values (configured URLs, passwords). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const literals = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const text = (input: string): string => {
    let out = input;
    for (const s of literals) if (out.includes(s)) out = out.split(s).join(MASK);
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
  };
  const value = <T>(v: T): T => {
    if (typeof v === "string") return text(v) as T;
    if (Array.isArray(v)) return v.map((x: unknown) => value(x)) as T;
    if (v && typeof v === "object" && !(v instanceof Date))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)])) as T;
    return v;
  };
  return { text, value };
}
