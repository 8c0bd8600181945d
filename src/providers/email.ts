import type { Transporter } from "nodemailer";
import { FirebreakError } from "../core/errors.js";
import type { OutboundMessage, PageProvider } from "../core/ports.js";
import { redactContact } from "../core/notify/provider-errors.js";

/** SMTP settings (SMTP_URL, FIREBREAK_EMAIL_FROM). */
export interface EmailSettings {
  smtpUrl: string;
  from: string;
  timeoutMs?: number;
}

function translate(err: unknown): FirebreakError {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const detail = redactContact(e.response ?? e.message ?? String(err));
  if (e.code === "EAUTH")
    return new FirebreakError(
      "config_invalid",
      `SMTP refused the login (${detail}): check SMTP_URL's user and password.`,
      {
        cause: err,
      },
    );
  // 5xx: the server refused this message for good (a bad address); 4xx: try again later.
  if (typeof e.responseCode === "number" && e.responseCode >= 500)
    return new FirebreakError("input_invalid", `SMTP ${e.responseCode}: ${detail}`, { cause: err });
  if (e.code === "ETIMEDOUT")
    return new FirebreakError("timeout", `SMTP timed out: ${detail}`, { cause: err });
  return new FirebreakError(
    "dependency_unavailable",
    `SMTP ${e.responseCode ?? e.code ?? "error"}: ${detail}`,
    {
      cause: err,
    },
  );
}

/**
 * Email through SMTP with nodemailer (loaded on first use). Each page's Message-ID is fixed
 * by its delivery, so a message sent again after a worker died mid-send is the same
 * message to the recipient's mail system.
 */
export async function createEmailProvider(s: EmailSettings): Promise<PageProvider> {
  const nodemailer = (await import("nodemailer")).default;
  const transport: Transporter = nodemailer.createTransport({
    url: s.smtpUrl,
    connectionTimeout: s.timeoutMs ?? 10_000,
    greetingTimeout: s.timeoutMs ?? 10_000,
    socketTimeout: s.timeoutMs ?? 10_000,
  });
  return {
    async send(m: OutboundMessage) {
      if (m.type !== "email") throw new FirebreakError("internal", `SMTP cannot send ${m.type} messages`);
      try {
        const info = (await transport.sendMail({
          from: s.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: m.messageId,
          headers: { "X-Priority": "1 (Highest)", Importance: "high", "Auto-Submitted": "auto-generated" },
        })) as { messageId?: string };
        return { ref: info.messageId ?? m.messageId };
      } catch (err) {
        throw translate(err);
      }
    },
    async findSent() {
      return undefined;
    },
    async close() {
      transport.close();
    },
  };
}
