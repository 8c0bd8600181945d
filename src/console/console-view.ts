import type { SlackEmulator } from "../emulator/slack/emulator.js";
import type { EmulatedChannel, EmulatedMessage, EmulatedView } from "../emulator/slack/types.js";
import type { DeliveryView } from "../web/delivery-views.js";
import { escapeHtml } from "../web/html.js";
import type { BlockLookup } from "./block-kit-html.js";
import { blocksToHtml } from "./block-kit-html.js";
import { mrkdwnToHtml, textObjectToHtml } from "./mrkdwn-html.js";
import { TEST_ALERTS } from "./test-alert.js";

/** Who is looking at which channel. */
export interface ConsoleSelection {
  userId: string;
  channelId: string;
}

/** The parts of the console that change as the workspace does (sent to the page as JSON). */
export interface ConsolePanels {
  sidebar: string;
  header: string;
  messages: string;
  modal: string;
  /** Changes only when the modal shown changes, so typing into it is not wiped by a refresh. */
  modalKey: string;
  /** Each page's deliveries: who, how, when, outcome (filled in by the server from Firebreak). */
  pages?: string;
}

const MEDIUM: Record<DeliveryView["type"], string> = {
  slack: "💬 Slack DM",
  email: "✉️ email",
  sms: "📱 SMS",
  voice: "📞 call",
  ntfy: "🔔 push",
  webhook: "🪝 webhook",
};

/**
 * The pages panel: every delivery of the latest pages, newest first, grouped by page, so
 * the fan-out along each person's rules (and what an ack withdrew) is visible.
 */
export function renderPagesPanel(deliveries: readonly DeliveryView[] | null, note?: string): string {
  if (deliveries === null) return `<h2>Pages</h2><p class="muted">${escapeHtml(note ?? "Unavailable.")}</p>`;
  if (deliveries.length === 0)
    return `<h2>Pages</h2><p class="muted">No pages yet. Declare a P1 (<code>/incident declare P1 …</code>) to see each page fan out.</p>`;
  const rows = deliveries
    .map(
      (d) =>
        `<tr class="delivery ${escapeHtml(d.status)}"><td>#${d.incident}</td><td>${escapeHtml(d.user)}</td><td>${MEDIUM[d.type] ?? escapeHtml(d.type)} <code>${escapeHtml(d.method)}</code> ${escapeHtml(d.to)}</td><td>${escapeHtml((d.sent_at ?? d.due_at).slice(11, 19))}</td><td>${escapeHtml(d.outcome)}</td></tr>`,
    )
    .join("");
  return `<h2>Pages</h2><table class="pages"><thead><tr><th>incident</th><th>who</th><th>how</th><th>when (UTC)</th><th>outcome</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const href = (channelId: string, userId: string) =>
  `/?channel=${encodeURIComponent(channelId)}&as=${encodeURIComponent(userId)}`;

/** Lookups for rendering, from the emulator's state. */
export function lookupFor(emulator: SlackEmulator, userId: string): BlockLookup {
  const { state } = emulator;
  return {
    userName: (id) => state.users.get(id)?.name,
    channelName: (id) => state.channels.get(id)?.name,
    channelHref: (id) => href(id, userId),
    users: () => [...state.users.values()].filter((u) => !u.deleted).map((u) => ({ id: u.id, name: u.name })),
    channels: () =>
      [...state.channels.values()].filter((c) => !c.is_im).map((c) => ({ id: c.id, name: `#${c.name}` })),
  };
}

/** Channels a user sees: public ones, private ones they are in, and their DM with the bot. */
export function visibleChannels(emulator: SlackEmulator, userId: string): EmulatedChannel[] {
  return emulator
    .channels()
    .filter((c) => (c.is_im ? c.user === userId : !c.is_private || c.members.includes(userId)));
}

export function renderPanels(emulator: SlackEmulator, sel: ConsoleSelection): ConsolePanels {
  const lookup = lookupFor(emulator, sel.userId);
  const channels = visibleChannels(emulator, sel.userId);
  const channel = emulator.state.channels.get(sel.channelId);
  const item = (c: EmulatedChannel) => {
    const count = emulator.messages(c.id, { visibleTo: sel.userId }).length;
    const label = c.is_im ? "Firebreak" : `${c.is_private ? "🔒" : "#"} ${c.name}`;
    return `<a class="channel${c.id === sel.channelId ? " current" : ""}${c.is_archived ? " archived" : ""}" data-channel="${escapeHtml(c.id)}" href="${escapeHtml(href(c.id, sel.userId))}">${escapeHtml(label)}<span class="count">${count}</span></a>`;
  };
  const sidebar = [
    `<h2>Channels</h2>`,
    ...channels.filter((c) => !c.is_im).map(item),
    `<h2>Direct messages</h2>`,
    ...(channels.some((c) => c.is_im)
      ? channels.filter((c) => c.is_im).map(item)
      : [`<p class="muted">None yet</p>`]),
  ].join("");
  const header = channel
    ? `<div class="title">${channel.is_im ? "Firebreak (direct message)" : `#${escapeHtml(channel.name)}`}${channel.is_archived ? ' <span class="muted">(archived)</span>' : ""}</div><div class="topic">${mrkdwnToHtml(channel.topic.value, lookup)}</div><div class="muted">${channel.members.length} members · ${channel.pins.length} pinned</div>`
    : `<div class="title">No channel selected</div>`;
  const messages = channel
    ? renderMessages(emulator, channel, sel.userId, lookup)
    : `<p class="muted">Pick a channel.</p>`;
  const view = emulator.views(sel.userId).at(-1);
  return {
    sidebar,
    header,
    messages,
    modal: view ? renderModal(view, lookup) : "",
    modalKey: view ? `${view.id}:${view.hash}:${JSON.stringify(view.errors ?? {})}` : "",
  };
}

function renderMessages(
  emulator: SlackEmulator,
  channel: EmulatedChannel,
  userId: string,
  lookup: BlockLookup,
): string {
  const list = emulator.messages(channel.id, { visibleTo: userId });
  if (!list.length)
    return `<p class="muted">No messages yet. Try <code>/incident declare P2 Checkout is slow</code>.</p>`;
  const pinned = new Set(channel.pins.map((p) => p.ts));
  return list.map((m) => renderMessage(emulator, m, pinned.has(m.ts), lookup)).join("");
}

function renderMessage(
  emulator: SlackEmulator,
  m: EmulatedMessage,
  pinned: boolean,
  lookup: BlockLookup,
): string {
  const author = emulator.state.users.get(m.user);
  const isBot = Boolean(m.bot_id) || author?.is_bot === true;
  const name = isBot ? "Firebreak" : (author?.real_name ?? m.user);
  const time = new Date(Number(m.ts) * 1000).toISOString().slice(11, 19);
  const reply = m.thread_ts !== undefined && m.thread_ts !== m.ts;
  const body = m.blocks?.length
    ? blocksToHtml(m.blocks, { kind: "message", channelId: m.channel, messageTs: m.ts }, lookup)
    : `<div class="text">${mrkdwnToHtml(m.text, lookup)}</div>`;
  const attachments = (m.attachments ?? []).map((a) => renderAttachment(a, m, lookup)).join("");
  const files = (m.files ?? [])
    .map((f) => `<div class="file">📄 ${escapeHtml(f.title || f.name)}</div>`)
    .join("");
  const classes = [
    "message",
    isBot ? "bot" : "human",
    m.ephemeral_for ? "ephemeral" : "",
    reply ? "reply" : "",
  ];
  return `<article class="${classes.filter(Boolean).join(" ")}" data-ts="${escapeHtml(m.ts)}">
<div class="meta"><span class="author">${escapeHtml(name)}</span>${isBot ? '<span class="app">APP</span>' : ""}<span class="time">${time}</span>${m.edited ? '<span class="muted">(edited)</span>' : ""}${pinned ? '<span class="pin">📌 pinned</span>' : ""}${m.ephemeral_for ? '<span class="eph">Only visible to you</span>' : ""}${reply ? '<span class="muted">in thread</span>' : ""}${m.reply_count ? `<span class="muted">${m.reply_count} replies</span>` : ""}</div>
${body}${attachments}${files}</article>`;
}

function renderAttachment(a: unknown, m: EmulatedMessage, lookup: BlockLookup): string {
  if (typeof a !== "object" || a === null) return "";
  const att = a as { color?: unknown; text?: unknown; blocks?: unknown; title?: unknown; fallback?: unknown };
  const color = typeof att.color === "string" && /^#?[0-9a-f]{3,8}$/i.test(att.color) ? att.color : "#ddd";
  const inner = Array.isArray(att.blocks)
    ? blocksToHtml(att.blocks, { kind: "message", channelId: m.channel, messageTs: m.ts }, lookup)
    : `${typeof att.title === "string" ? `<b>${escapeHtml(att.title)}</b><br>` : ""}${mrkdwnToHtml(typeof att.text === "string" ? att.text : typeof att.fallback === "string" ? att.fallback : "", lookup)}`;
  return `<div class="attachment" style="border-left-color:${color.startsWith("#") ? color : `#${color}`}">${inner}</div>`;
}

function renderModal(view: EmulatedView, lookup: BlockLookup): string {
  const title = textObjectToHtml(view.title, lookup) || "Modal";
  const submit = view.submit ? textObjectToHtml(view.submit, lookup) : "";
  const close = view.close ? textObjectToHtml(view.close, lookup) : "Cancel";
  const body = blocksToHtml(view.blocks, { kind: "modal", errors: view.errors ?? {} }, lookup);
  return `<form class="modal" data-view-id="${escapeHtml(view.id)}" data-callback-id="${escapeHtml(view.callback_id)}">
<h2>${title}</h2><div class="modal-body">${body}</div>
<div class="modal-buttons"><button type="button" data-modal="close">${close}</button>${submit ? `<button type="submit" class="bk-primary">${submit}</button>` : ""}</div></form>`;
}

/** The whole console page; panels are then kept current by the script. */
export function renderConsolePage(
  emulator: SlackEmulator,
  sel: ConsoleSelection,
  links: { incidentsUrl: string | null; ready: boolean },
): string {
  const panels = renderPanels(emulator, sel);
  const humans = emulator.users().filter((u) => !u.is_bot && !u.deleted);
  const userOptions = humans
    .map(
      (u) =>
        `<option value="${escapeHtml(u.id)}"${u.id === sel.userId ? " selected" : ""}>${escapeHtml(u.real_name)} (@${escapeHtml(u.name)})</option>`,
    )
    .join("");
  const alertOptions = Object.keys(TEST_ALERTS)
    .map((n) => `<option>${escapeHtml(n)}</option>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Firebreak local console</title><link rel="stylesheet" href="/console/console.css"></head>
<body data-user="${escapeHtml(sel.userId)}" data-channel="${escapeHtml(sel.channelId)}">
<header class="top"><strong>🔥 Firebreak</strong><span class="muted">local mode · Slack emulator</span>
<label>Acting as <select id="user-switch">${userOptions}</select></label>
<form id="alert-form" class="alert-form"><select name="alertname">${alertOptions}</select><select name="severity"><option>critical</option><option>warning</option><option>info</option></select><button type="submit" name="status" value="firing" id="fire-alert">🚨 Fire a test alert</button><button type="button" id="resolve-alert">Resolve it</button></form>
${links.incidentsUrl ? `<a id="incident-pages" href="${escapeHtml(links.incidentsUrl)}" target="_blank" rel="noopener">Incident pages ↗</a>` : ""}
${links.ready ? "" : '<span class="warn">Firebreak is still starting…</span>'}</header>
<div class="layout"><nav id="sidebar">${panels.sidebar}</nav>
<main><div id="channel-header">${panels.header}</div><div id="messages">${panels.messages}</div>
<form id="composer"><input id="composer-input" name="text" autocomplete="off" placeholder="Message, or a slash command: /incident declare P2 Checkout is slow · /incident help · /oncall · /run help · /alerts maintenance list"><button type="submit">Send</button></form></main>
<aside id="pages">${panels.pages ?? renderPagesPanel(null, "Firebreak is still starting…")}</aside></div>
<div id="modal" data-key="${escapeHtml(panels.modalKey)}">${panels.modal}</div>
<div id="toast" role="status" aria-live="polite"></div>
<script src="/console/console.js"></script></body></html>`;
}
