import { gsm7Length, toGsm7, truncateGsm7 } from "./gsm7.js";

/** One page as its messages show it. Links are absent without FIREBREAK_PUBLIC_URL. */
export interface PageSummary {
  incidentId: number;
  severity: string;
  title: string;
  /** The short code an SMS reply names ("ACK 4821"). */
  ackCode: string;
  /** Why this person is paged, one line ("Escalation policy default, step 1 of 3"). */
  cause?: string;
  /** The signed, single-use acknowledge link for this medium. */
  ackUrl?: string;
  /** The incident's page in Firebreak. */
  incidentUrl?: string;
}

/** The most one SMS segment holds in GSM-7. */
export const SMS_MAX_SEPTETS = 160;

/**
 * The SMS for one page or a bundle of pages sent together (the rate limit allows one SMS a
 * minute per number): GSM-7 only and at most 160 septets, with each incident's number,
 * severity, title (shortened to fit) and ack code.
 */
export function smsText(pages: readonly PageSummary[]): string {
  if (pages.length === 0) throw new Error("smsText needs at least one page");
  const clean = pages.map((p) => ({ ...p, title: toGsm7(p.title).trim() }));
  if (clean.length === 1) {
    const p = clean[0]!;
    const head = `Firebreak: #${p.incidentId} ${p.severity} `;
    const tail = `. Reply ACK ${p.ackCode} to acknowledge, ESC ${p.ackCode} to escalate.`;
    const room = SMS_MAX_SEPTETS - gsm7Length(head) - gsm7Length(tail);
    return `${head}${truncateGsm7(p.title, room)}${tail}`;
  }
  const head = `Firebreak: ${clean.length} incidents need you: `;
  const tail = ". Reply ACK <code> or ESC <code>; 1 acks all.";
  const budget = SMS_MAX_SEPTETS - gsm7Length(head) - gsm7Length(tail);
  const entry = (p: (typeof clean)[number], titleRoom: number) =>
    titleRoom > 0 && p.title
      ? `#${p.incidentId} ${p.severity} ${truncateGsm7(p.title, titleRoom)} (${p.ackCode})`
      : `#${p.incidentId} ${p.severity} (${p.ackCode})`;
  // The longest equal share of the room each title can have.
  for (let room = 60; room >= 4; room -= 1) {
    const body = clean.map((p) => entry(p, room)).join(", ");
    if (gsm7Length(body) <= budget) return `${head}${body}${tail}`;
  }
  // Too many to name with titles: as many as fit, then how many more.
  const bare = clean.map((p) => entry(p, 0));
  for (let n = bare.length; n >= 1; n -= 1) {
    const more = bare.length - n;
    const body = `${bare.slice(0, n).join(", ")}${more > 0 ? `, +${more} more` : ""}`;
    if (gsm7Length(body) <= budget) return `${head}${body}${tail}`;
  }
  return `${head}${bare.length} pages${tail}`;
}

/** What an SMS reply asks for: to acknowledge or escalate one page (by code) or the last SMS's pages. */
export type SmsReply =
  { kind: "ack"; code?: string } | { kind: "escalate"; code?: string } | { kind: "unknown" };

/** Reads "ack 4821", "ACK", "1", "esc 4821", "2" (case, spaces and punctuation forgiven). */
export function parseSmsReply(body: string): SmsReply {
  const text = body
    .trim()
    .toLowerCase()
    .replace(/[.!,;:]+$/g, "")
    .replace(/\s+/g, " ");
  const m = /^(ack|a|acknowledge|1|esc|e|escalate|2)(?: ?#?(\d{4,6}))?$/.exec(text);
  if (!m) {
    const codeOnly = /^(\d{4,6})$/.exec(text);
    return codeOnly ? { kind: "ack", code: codeOnly[1]! } : { kind: "unknown" };
  }
  const kind = ["ack", "a", "acknowledge", "1"].includes(m[1]!) ? "ack" : "escalate";
  return m[2] ? { kind, code: m[2] } : { kind };
}

/** What the answer to an SMS reply says (itself an SMS, so GSM-7 and short). */
export function smsReplyText(
  outcome:
    | { kind: "acknowledged"; incidentIds: number[] }
    | { kind: "escalated"; incidentIds: number[] }
    | { kind: "nothing"; reason: string }
    | { kind: "help" },
): string {
  const list = (ids: number[]) => ids.map((id) => `#${id}`).join(", ");
  switch (outcome.kind) {
    case "acknowledged":
      return truncateGsm7(`Acknowledged ${list(outcome.incidentIds)}. Thanks.`, SMS_MAX_SEPTETS);
    case "escalated":
      return truncateGsm7(`Escalated ${list(outcome.incidentIds)} to the next step.`, SMS_MAX_SEPTETS);
    case "nothing":
      return truncateGsm7(toGsm7(outcome.reason), SMS_MAX_SEPTETS);
    case "help":
      return "Reply ACK <code> to acknowledge, ESC <code> to escalate (1 or 2 for the last page).";
  }
}

/** What a paging call says, and the keys it takes (1 acknowledge, 2 escalate). */
export interface VoiceScript {
  /** Read inside the <Gather>, so a key press interrupts it. */
  message: string;
  /** Said when no key was pressed before the gather timed out. */
  noInput: string;
}

const spokenSeverity = (s: string) => s.replace(/^P(\d)$/, "P $1");

/** The call for one page or a bundle. */
export function voiceScript(pages: readonly PageSummary[]): VoiceScript {
  const one = pages.length === 1;
  const what = pages
    .map(
      (p) =>
        `Incident ${p.incidentId}, severity ${spokenSeverity(p.severity)}: ${p.title.replace(/[\r\n]+/g, " ").slice(0, 200)}.`,
    )
    .join(" ");
  const intro = one
    ? "This is Firebreak. You are paged."
    : `This is Firebreak. ${pages.length} incidents need you.`;
  const keys = one
    ? "Press 1 to acknowledge. Press 2 to escalate to the next step."
    : "Press 1 to acknowledge all of them. Press 2 to escalate them to the next step.";
  return {
    message: `${intro} ${what} ${keys}`,
    noInput: "No key was pressed. The page stays open. Goodbye.",
  };
}

/** What the call says after a key press. */
export function voiceAnswer(outcome: "acknowledged" | "escalated" | "nothing" | "invalid"): string {
  switch (outcome) {
    case "acknowledged":
      return "Acknowledged. Thank you. Goodbye.";
    case "escalated":
      return "Escalated to the next step. Goodbye.";
    case "nothing":
      return "There is nothing left to acknowledge on this call. Goodbye.";
    case "invalid":
      return "Sorry, that key does nothing. Press 1 to acknowledge, or 2 to escalate.";
  }
}

/** An email page: plain text and HTML with the summary and links. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** The email for one page or a bundle. */
export function emailMessage(pages: readonly PageSummary[]): EmailMessage {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").trim();
  const subject =
    pages.length === 1
      ? `[Firebreak] #${pages[0]!.incidentId} ${pages[0]!.severity}: ${oneLine(pages[0]!.title).slice(0, 150)}`
      : `[Firebreak] ${pages.length} incidents need you`;
  const text = [
    pages.length === 1 ? "You are paged." : `${pages.length} incidents need you:`,
    "",
    ...pages.flatMap((p) => [
      `#${p.incidentId} ${p.severity}: ${oneLine(p.title)}`,
      ...(p.cause ? [`  ${p.cause}`] : []),
      p.ackUrl
        ? `  Acknowledge: ${p.ackUrl}`
        : `  Acknowledge in Slack, or reply to the SMS with ACK ${p.ackCode}.`,
      ...(p.incidentUrl ? [`  Incident: ${p.incidentUrl}`] : []),
      `  Ack code: ${p.ackCode}`,
      "",
    ]),
    "-- Firebreak",
  ].join("\n");
  const items = pages
    .map(
      (p) => `<li style="margin:0 0 12px">
<strong>#${p.incidentId} <span style="color:#b5271b">${escapeHtml(p.severity)}</span>: ${escapeHtml(oneLine(p.title))}</strong><br>
${p.cause ? `<span style="color:#666">${escapeHtml(p.cause)}</span><br>` : ""}
${p.ackUrl ? `<a href="${escapeHtml(p.ackUrl)}" style="display:inline-block;margin:6px 0;padding:6px 12px;background:#1a7f37;color:#fff;text-decoration:none;border-radius:4px">Acknowledge</a> ` : ""}
${p.incidentUrl ? `<a href="${escapeHtml(p.incidentUrl)}">Open the incident</a> ` : ""}
<span style="color:#666">Ack code ${escapeHtml(p.ackCode)}</span>
</li>`,
    )
    .join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif">
<p>${pages.length === 1 ? "You are paged." : `${pages.length} incidents need you:`}</p>
<ul style="padding-left:18px">${items}</ul>
<p style="color:#666">Firebreak</p>
</body></html>`;
  return { subject, text, html };
}

/** An ntfy push: priority 5 (max) with an Acknowledge action button when there is a link. */
export interface NtfyMessage {
  title: string;
  message: string;
  priority: 5;
  tags: string[];
  click?: string;
  actions: { action: "http"; label: string; url: string; method: "POST"; clear: true }[];
}

/** The push for one page (pushes are not rate limited, so never bundled). */
export function ntfyMessage(page: PageSummary): NtfyMessage {
  return {
    title: `#${page.incidentId} ${page.severity}: ${page.title.replace(/[\r\n]+/g, " ").slice(0, 200)}`,
    message: `${page.cause ? `${page.cause}. ` : ""}You are paged. Ack code ${page.ackCode}.`,
    priority: 5,
    tags: ["rotating_light"],
    ...(page.incidentUrl ? { click: page.incidentUrl } : {}),
    actions: page.ackUrl
      ? [{ action: "http", label: "Acknowledge", url: page.ackUrl, method: "POST", clear: true }]
      : [],
  };
}
