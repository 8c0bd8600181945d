import { formatInTimeZone } from "../time-format.js";

const MAX = 80;

/**
 * The channel of incident N: `inc-YYYYMMDD-N-<slug of title>`, a valid Slack name
 * (lowercase letters, digits, hyphens; at most 80 characters). `attempt` > 1 adds a
 * suffix after a `name_taken`.
 */
export function incidentChannelName(opts: {
  number: number;
  title: string;
  declaredAt: Date;
  timeZone?: string;
  prefix?: string;
  attempt?: number;
}): string {
  const prefix = slugify(opts.prefix ?? "inc") || "inc";
  const date = formatInTimeZone(opts.declaredAt, opts.timeZone ?? "UTC", "yyyyMMdd");
  const suffix = opts.attempt && opts.attempt > 1 ? `-${opts.attempt}` : "";
  const head = `${prefix}-${date}-${opts.number}`;
  const room = MAX - head.length - suffix.length - 1;
  const slug = room > 0 ? slugify(opts.title).slice(0, room).replace(/-+$/, "") : "";
  return `${head}${slug ? `-${slug}` : ""}${suffix}`;
}

/** Lowercase ASCII, digits and single hyphens; accents folded (é → e), everything else dropped. */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
