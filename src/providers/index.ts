import { FirebreakError } from "../core/errors.js";
import type { ContactMethodType } from "../core/notify/contact-methods.js";
import type { PageProvider, PageProviders } from "../core/ports.js";

/** Provider settings, from the environment (NotifyEnvOptions in config.ts). */
export interface ProviderSettings {
  email?: { smtpUrl: string; from: string };
  twilio?: { accountSid: string; authToken: string; from: string; apiUrl?: string };
  ntfy?: { url: string; token?: string };
  /** FIREBREAK_PAGE_WEBHOOK_SECRET: the page webhook is available with it. */
  webhookSecret?: string;
  /** How long one provider request may take (default 10s). */
  timeoutMs?: number;
}

type Sendable = Exclude<ContactMethodType, "slack">;

/**
 * The page providers an install has. Each is built (and its SDK loaded) on first use, so a
 * process that never pages by SMS never loads Twilio's client.
 */
export function createPageProviders(s: ProviderSettings): PageProviders {
  const available = new Set<ContactMethodType>();
  if (s.email) available.add("email");
  if (s.twilio) {
    available.add("sms");
    available.add("voice");
  }
  if (s.ntfy) available.add("ntfy");
  if (s.webhookSecret) available.add("webhook");
  const built = new Map<string, Promise<PageProvider>>();
  const build = async (type: Sendable): Promise<PageProvider> => {
    const timeoutMs = s.timeoutMs ?? 10_000;
    switch (type) {
      case "email":
        return (await import("./email.js")).createEmailProvider({ ...s.email!, timeoutMs });
      case "sms":
      case "voice":
        return (await import("./twilio.js")).createTwilioProvider({ ...s.twilio!, timeoutMs });
      case "ntfy":
        return (await import("./ntfy.js")).createNtfyProvider({ ...s.ntfy!, timeoutMs });
      case "webhook":
        return (await import("./webhook.js")).createWebhookProvider();
    }
  };
  return {
    available,
    get(type) {
      // The install-wide page webhook needs no secret of its own here: its settings carry it.
      if (!available.has(type) && type !== "webhook")
        return Promise.reject(new FirebreakError("config_invalid", `no ${type} provider is configured`));
      const key = type === "voice" ? "sms" : type;
      let p = built.get(key);
      if (!p) {
        p = build(type);
        p.catch(() => built.delete(key));
        built.set(key, p);
      }
      return p;
    },
    async close() {
      for (const p of built.values()) await (await p.catch(() => null))?.close?.();
      built.clear();
    },
  };
}
