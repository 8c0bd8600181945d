import type { ContactMethodType } from "./contact-methods.js";
import type { OutboundMessage } from "../ports.js";

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** TwiML that says `text` twice and hangs up (no callbacks needed: it runs inline). */
function inlineTwiml(text: string): string {
  const say = `<Say voice="alice">${escapeXml(text)}</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${say}<Pause length="1"/>${say}<Hangup/></Response>`;
}

type Target = { type: Exclude<ContactMethodType, "slack" | "webhook">; target: string };

/** The message carrying a verification code to a method being added with `/oncall me add`. */
export function verificationMessage(m: Target, code: string, messageId: string): OutboundMessage {
  const text = `Firebreak: your verification code is ${code}. Type /oncall me verify ${code} in Slack to start getting pages here.`;
  switch (m.type) {
    case "sms":
      return { type: "sms", to: m.target, body: text };
    case "voice":
      return {
        type: "voice",
        to: m.target,
        twiml: inlineTwiml(`This is Firebreak. Your verification code is ${code.split("").join(", ")}.`),
      };
    case "email":
      return {
        type: "email",
        to: m.target,
        subject: "Your Firebreak verification code",
        text: `${text}\n\nIf you did not ask for this, ignore this message.\n-- Firebreak`,
        html: `<p>Your Firebreak verification code is <strong>${code}</strong>.</p><p>Type <code>/oncall me verify ${code}</code> in Slack to start getting pages here.</p>`,
        messageId,
      };
    case "ntfy":
      return {
        type: "ntfy",
        topic: m.target,
        message: { title: "Firebreak verification", message: text, priority: 5, tags: ["key"], actions: [] },
      };
  }
}

/** The message `/oncall me test <method>` sends: a page that is only a test. */
export function testMessage(
  m: { type: Exclude<ContactMethodType, "slack">; target: string },
  o: { webhook?: { url: string; secret: string; userId: string; timeoutMs: number }; messageId: string },
): OutboundMessage {
  const text = "Firebreak test page: this is how pages reach you. Nothing to do.";
  switch (m.type) {
    case "sms":
      return { type: "sms", to: m.target, body: text };
    case "voice":
      return {
        type: "voice",
        to: m.target,
        twiml: inlineTwiml(`This is a Firebreak test page. ${text.slice(19)}`),
      };
    case "email":
      return {
        type: "email",
        to: m.target,
        subject: "[Firebreak] Test page",
        text: `${text}\n-- Firebreak`,
        html: `<p>${escapeXml(text)}</p>`,
        messageId: o.messageId,
      };
    case "ntfy":
      return {
        type: "ntfy",
        topic: m.target,
        message: {
          title: "Firebreak test page",
          message: text,
          priority: 5,
          tags: ["test_tube"],
          actions: [],
        },
      };
    case "webhook":
      return {
        type: "webhook",
        url: o.webhook?.url ?? m.target,
        secret: o.webhook?.secret ?? "",
        body: JSON.stringify({ type: "test", user_id: o.webhook?.userId ?? null, text }),
        deliveryId: 0,
        timeoutMs: o.webhook?.timeoutMs ?? 10_000,
      };
  }
}

/** A handoff notice ("You are on call for primary from …") through a contact method. */
export function handoffMessage(
  m: { type: Exclude<ContactMethodType, "slack" | "webhook">; target: string },
  text: string,
  messageId: string,
): OutboundMessage {
  switch (m.type) {
    case "sms":
      return { type: "sms", to: m.target, body: `Firebreak: ${text}.` };
    case "voice":
      return { type: "voice", to: m.target, twiml: inlineTwiml(`This is Firebreak. ${text}.`) };
    case "email":
      return {
        type: "email",
        to: m.target,
        subject: `[Firebreak] ${text}`,
        text: `${text}.\n-- Firebreak`,
        html: `<p>${escapeXml(text)}.</p>`,
        messageId,
      };
    case "ntfy":
      return {
        type: "ntfy",
        topic: m.target,
        message: {
          title: "Your shift is starting",
          message: `${text}.`,
          priority: 5,
          tags: ["calendar"],
          actions: [],
        },
      };
  }
}
