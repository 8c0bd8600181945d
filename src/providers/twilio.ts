import type TwilioSdk from "twilio";
import type { RequestOptions } from "twilio/lib/base/RequestClient.js";
import { FirebreakError } from "../core/errors.js";
import type { OutboundMessage, PageProvider, SendReceipt } from "../core/ports.js";
import { redactContact } from "../core/notify/provider-errors.js";

type TwilioModule = typeof TwilioSdk;

let loaded: Promise<TwilioModule> | null = null;

/** The official client, loaded on first use (it is large; a process that never pages never loads it). */
export function loadTwilio(): Promise<TwilioModule> {
  loaded ??= import("twilio").then((m) => ((m as { default?: TwilioModule }).default ?? m) as TwilioModule);
  return loaded;
}

/** Twilio settings (TWILIO_*). */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  /** A Twilio-compatible API instead of https://api.twilio.com (TWILIO_API_URL). */
  apiUrl?: string;
  timeoutMs?: number;
}

const TWILIO_API = "https://api.twilio.com";

/** Twilio error codes that name the message itself: retrying cannot help. */
function translate(err: unknown): FirebreakError {
  const e = err as { status?: number; code?: number | string; message?: string; moreInfo?: string };
  if (typeof e.status === "number") {
    const detail = redactContact(`Twilio ${e.code ?? e.status}: ${e.message ?? "error"}`);
    if (e.status === 401 || e.code === 20003)
      return new FirebreakError(
        "config_invalid",
        `${detail}: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio Console → Account Info).`,
        { cause: err },
      );
    if (e.status === 429) return new FirebreakError("rate_limited", detail, { cause: err });
    if (e.status >= 500) return new FirebreakError("dependency_unavailable", detail, { cause: err });
    return new FirebreakError("input_invalid", detail, { cause: err });
  }
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code === "ECONNABORTED" || code === "ETIMEDOUT")
    return new FirebreakError("timeout", "Twilio did not answer in time", { cause: err });
  return new FirebreakError(
    "dependency_unavailable",
    `Twilio unreachable${code ? ` (${code})` : ""}: ${redactContact(e.message ?? String(err))}`,
    { cause: err },
  );
}

/** SMS and voice through Twilio's REST API with the official client. */
export async function createTwilioProvider(s: TwilioSettings): Promise<PageProvider> {
  const twilio = await loadTwilio();
  const base = s.apiUrl?.replace(/\/+$/, "");
  // The client has no base-URL option; a request client that rewrites the host is its
  // documented extension point (custom HTTP clients).
  class RoutingRequestClient extends twilio.RequestClient {
    override request<TData>(opts: RequestOptions<TData>) {
      const uri =
        base && opts.uri.startsWith(TWILIO_API) ? base + opts.uri.slice(TWILIO_API.length) : opts.uri;
      return super.request<TData>({ ...opts, uri });
    }
  }
  const client = twilio(s.accountSid, s.authToken, {
    httpClient: new RoutingRequestClient({ timeout: s.timeoutMs ?? 10_000, keepAlive: true }),
  });
  return {
    async send(m: OutboundMessage): Promise<SendReceipt> {
      try {
        if (m.type === "sms") {
          const msg = await client.messages.create({
            to: m.to,
            from: s.from,
            body: m.body,
            ...(m.statusCallback ? { statusCallback: m.statusCallback } : {}),
          });
          return { ref: msg.sid };
        }
        if (m.type === "voice") {
          const call = await client.calls.create({
            to: m.to,
            from: s.from,
            ...(m.url ? { url: m.url, method: "POST" } : { twiml: m.twiml ?? "<Response/>" }),
            ...(m.statusCallback
              ? {
                  statusCallback: m.statusCallback,
                  statusCallbackMethod: "POST",
                  statusCallbackEvent: ["completed"],
                }
              : {}),
          });
          return { ref: call.sid };
        }
      } catch (err) {
        throw translate(err);
      }
      throw new FirebreakError("internal", `Twilio cannot send ${m.type} messages`);
    },
    // Only one SMS or call a minute goes to a number, so one from our number since the
    // claim is the one the dead worker made.
    async findSent(m, since) {
      if (m.type !== "sms" && m.type !== "voice") return undefined;
      try {
        if (m.type === "sms") {
          const list = await client.messages.list({
            to: m.to,
            from: s.from,
            dateSentAfter: since,
            limit: 20,
          });
          const hit = list.find(
            (x) => x.body === m.body && (x.dateCreated?.getTime() ?? 0) >= since.getTime() - 1000,
          );
          return hit?.sid ?? null;
        }
        const list = await client.calls.list({ to: m.to, from: s.from, startTimeAfter: since, limit: 20 });
        const hit = list.find((x) => (x.dateCreated?.getTime() ?? 0) >= since.getTime() - 1000);
        return hit?.sid ?? null;
      } catch {
        return undefined;
      }
    },
  };
}

/** Checks X-Twilio-Signature for `url` (the public URL Twilio called) and the POST parameters. */
export async function twilioSignatureValid(
  authToken: string,
  signature: string,
  url: string,
  params: Record<string, string>,
): Promise<boolean> {
  const twilio = await loadTwilio();
  return twilio.validateRequest(authToken, signature, url, params);
}

/** TwiML for a paging call: `message` inside a one-key <Gather> posting to `action`, then `noInput`. */
export async function gatherTwiml(o: { message: string; action: string; noInput: string }): Promise<string> {
  const twilio = await loadTwilio();
  const response = new twilio.twiml.VoiceResponse();
  response
    .gather({ numDigits: 1, action: o.action, method: "POST", timeout: 10, actionOnEmptyResult: false })
    .say({ voice: "alice", loop: 2 }, o.message);
  response.say({ voice: "alice" }, o.noInput);
  response.hangup();
  return response.toString();
}

/** TwiML that says `text` and hangs up. */
export async function sayTwiml(text: string): Promise<string> {
  const twilio = await loadTwilio();
  const response = new twilio.twiml.VoiceResponse();
  response.say({ voice: "alice" }, text);
  response.hangup();
  return response.toString();
}

/** TwiML answering an inbound SMS with `text` (empty: no reply). */
export async function messagingTwiml(text: string): Promise<string> {
  const twilio = await loadTwilio();
  const response = new twilio.twiml.MessagingResponse();
  if (text) response.message(text);
  return response.toString();
}
