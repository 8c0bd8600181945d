import { escapeHtml } from "../web/html.js";

/** What mrkdwn rendering needs to know about the workspace. */
export interface MrkdwnLookup {
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
  /** The console URL that opens a channel. */
  channelHref(id: string): string;
}

const EMOJI: Record<string, string> = {
  eyes: "👀",
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  x: "❌",
  warning: "⚠️",
  rotating_light: "🚨",
  fire: "🔥",
  adhesive_bandage: "🩹",
  arrows_counterclockwise: "🔄",
  bust_in_silhouette: "👤",
  memo: "📝",
  pager: "📟",
  red_circle: "🔴",
  large_orange_circle: "🟠",
  large_yellow_circle: "🟡",
  large_blue_circle: "🔵",
  white_circle: "⚪",
  hourglass_flowing_sand: "⏳",
  lock: "🔒",
  mag: "🔍",
  stopwatch: "⏱️",
  no_entry: "⛔",
  bell: "🔔",
  no_bell: "🔕",
  clipboard: "📋",
  ballot_box_with_check: "☑️",
  white_large_square: "⬜",
  sos: "🆘",
  wrench: "🔧",
  hammer_and_wrench: "🛠️",
  rocket: "🚀",
  tada: "🎉",
  raised_hand: "✋",
  information_source: "ℹ️",
  no_entry_sign: "🚫",
  hourglass: "⌛",
  bar_chart: "📊",
  scroll: "📜",
  link: "🔗",
  zap: "⚡",
  skull: "💀",
  mute: "🔇",
};

const SAFE_URL = /^(https?:|mailto:)/i;

/** Slack's own escapes in message text, undone before HTML escaping. */
const unslack = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/**
 * Renders Slack mrkdwn as HTML. Everything is HTML-escaped first; then only a safe
 * subset becomes markup: *bold*, _italic_, ~strike~, `code`, ```blocks```, links
 * (http, https, mailto only), user, channel and group mentions, dates and emoji codes.
 */
export function mrkdwnToHtml(text: string, lookup: MrkdwnLookup): string {
  const held: string[] = [];
  // Private-use characters mark held markup; any in the input are dropped first.
  const hold = (markup: string) => `\uE000${held.push(markup) - 1}\uE001`;
  // Slack markup first, while its angle brackets are still literal.
  let s = text
    .replace(/[\uE000\uE001]/g, "")
    .replace(/<([^<>\n]+)>/g, (_m, inner: string) => hold(token(inner, lookup)));
  s = escapeHtml(unslack(s));
  s = s.replace(/```([\s\S]*?)```/g, (_m, code: string) => hold(`<pre>${code}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_m, code: string) => hold(`<code>${code}</code>`));
  s = s.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, "$1<b>$2</b>");
  s = s.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, "$1<i>$2</i>");
  s = s.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, "$1<s>$2</s>");
  s = s.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
  s = s.replace(/^&gt; ?(.*)$/gm, "<q>$1</q>");
  s = s.replace(/\r?\n/g, "<br>");
  return s.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => held[Number(i)] ?? "");
}

function token(inner: string, lookup: MrkdwnLookup): string {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : unslack(inner.slice(bar + 1));
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const name = lookup.userName(id) ?? label ?? id;
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const name = lookup.channelName(id) ?? label ?? id;
    return `<a class="mention" href="${escapeHtml(lookup.channelHref(id))}">#${escapeHtml(name)}</a>`;
  }
  if (target.startsWith("!")) return special(target.slice(1), label);
  const url = unslack(target);
  if (SAFE_URL.test(url))
    return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label ?? url)}</a>`;
  return escapeHtml(label ?? url);
}

function special(command: string, label: string | undefined): string {
  const [kind, ...parts] = command.split("^");
  switch (kind) {
    case "here":
    case "channel":
    case "everyone":
      return `<span class="mention">@${kind}</span>`;
    case "subteam":
      return `<span class="mention">${escapeHtml(label ?? `@${parts[0] ?? "group"}`)}</span>`;
    case "date": {
      const seconds = Number(parts[0]);
      if (!Number.isFinite(seconds)) return escapeHtml(label ?? "");
      const iso = new Date(seconds * 1000).toISOString();
      return `<time datetime="${iso}">${escapeHtml(iso.replace("T", " ").slice(0, 16))} UTC</time>`;
    }
    default:
      return escapeHtml(label ?? `@${kind ?? ""}`);
  }
}

/** Plain text from a Block Kit text object (mrkdwn rendered, plain_text escaped). */
export function textObjectToHtml(value: unknown, lookup: MrkdwnLookup): string {
  if (typeof value !== "object" || value === null) return "";
  const t = value as { type?: unknown; text?: unknown };
  const text = typeof t.text === "string" ? t.text : "";
  if (t.type === "mrkdwn") return mrkdwnToHtml(text, lookup);
  return escapeHtml(text).replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
}

/** A plain_text object's text, unformatted (for attributes such as confirm dialogs). */
export function plainText(value: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  const text = (value as { text?: unknown }).text;
  return typeof text === "string" ? unslack(text) : "";
}
