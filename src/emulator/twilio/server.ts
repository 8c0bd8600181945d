import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isE164 } from "../../core/notify/contact-methods.js";
import {
  TwilioApiError,
  authenticateError,
  internalError,
  invalidToError,
  notFoundError,
  serviceUnavailableError,
  tooManyRequestsError,
} from "./errors.js";
import type { TwilioFault } from "./errors.js";
import { API_VERSION, callJson, listJson, messageJson, newSid } from "./resources.js";
import type { FakeCall, FakeMessage } from "./resources.js";
import { twilioSignature as twilioSignatureOf } from "./signing.js";
import { parseTwiml } from "./twiml.js";
import { postWebhook } from "./webhooks.js";
import type { WebhookResult } from "./webhooks.js";

/** Options of {@link startTwilioFake}. */
export interface TwilioFakeOptions {
  /** Defaults to a random `AC…` SID. */
  accountSid?: string;
  /** Defaults to a random token. */
  authToken?: string;
  /**
   * Numbers the account owns, with the webhooks set for them in Twilio's console: an SMS
   * to the number is posted to `smsUrl`. Outbound messages and calls must come from one.
   */
  numbers?: Record<string, { smsUrl?: string }>;
  /** The fake's clock. */
  now?: () => Date;
}

/** One request the REST API answered. */
export interface RecordedTwilioRequest {
  method: string;
  path: string;
  status: number;
  /** When the request arrived. */
  at: Date;
}

/** A running Twilio-compatible REST API with scriptable phones on the other end. */
export interface TwilioFake {
  /** Base URL for TWILIO_API_URL: `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Every message, outbound (through the API) and inbound (replies), oldest first. */
  readonly messages: FakeMessage[];
  readonly calls: FakeCall[];
  readonly requests: RecordedTwilioRequest[];
  /** Every webhook the fake posted to the app, oldest first (to replay one). */
  readonly webhooks: WebhookResult[];
  /** Where a webhook URL is actually sent (a proxy in front of the app); identity by default. */
  route: (url: string) => string;
  /** Sets the webhook for a number the account owns. */
  setNumber(number: string, config: { smsUrl?: string }): void;
  /** The next `times` requests to a resource fail this way. */
  failNext(resource: "Messages" | "Calls", fault: TwilioFault, times?: number): void;
  /** While down, every API request gets 503 (Twilio error 20503). */
  setDown(down: boolean): void;
  /** A phone replies to an owned number: Twilio posts the signed inbound-SMS webhook. */
  replySms(o: { from: string; body: string; to?: string }): Promise<WebhookResult>;
  /** The callee picks up: Twilio fetches the call's TwiML (signed), and the call runs it. */
  answer(callSid: string): Promise<WebhookResult>;
  /** The callee presses keys during a <Gather>: Twilio posts them to its action (signed). */
  press(callSid: string, digits: string): Promise<WebhookResult>;
  /** The call ends (or never connects): Twilio posts the status callback, if one was set. */
  endCall(
    callSid: string,
    status?: "completed" | "no-answer" | "busy" | "failed",
  ): Promise<WebhookResult | null>;
  /** Sends exactly the same signed request again (a replay). */
  replay(webhook: WebhookResult): Promise<WebhookResult>;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new TwilioApiError(413, 20001, "Request entity too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** Starts the fake on a free loopback port. */
export async function startTwilioFake(o: TwilioFakeOptions = {}): Promise<TwilioFake> {
  const accountSid = o.accountSid ?? `AC${randomBytes(16).toString("hex")}`;
  const authToken = o.authToken ?? randomBytes(16).toString("hex");
  const now = o.now ?? (() => new Date());
  const numbers = new Map(Object.entries(o.numbers ?? {}));
  const messages: FakeMessage[] = [];
  const calls: FakeCall[] = [];
  const requests: RecordedTwilioRequest[] = [];
  const webhooks: WebhookResult[] = [];
  const faults = new Map<string, TwilioFault[]>();
  const hanging = new Set<http.ServerResponse>();
  let down = false;
  const base = `/${API_VERSION}/Accounts/${accountSid}`;

  const authorized = (req: http.IncomingMessage) => {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
    if (!m) return false;
    const [user, ...rest] = Buffer.from(m[1]!, "base64").toString("utf8").split(":");
    return user === accountSid && rest.join(":") === authToken;
  };

  const createMessage = (form: URLSearchParams): FakeMessage => {
    const to = form.get("To");
    const from = form.get("From");
    const body = form.get("Body");
    if (!to) throw new TwilioApiError(400, 21604, "A 'To' phone number is required.");
    if (!from && !form.get("MessagingServiceSid"))
      throw new TwilioApiError(400, 21603, "A 'From' phone number is required.");
    if (!body && !form.get("MediaUrl")) throw new TwilioApiError(400, 21602, "Message body is required.");
    // +15005550001 is Twilio's magic "invalid number" for test credentials.
    if (!isE164(to) || to === "+15005550001") throw invalidToError(to);
    if (from && !numbers.has(from))
      throw new TwilioApiError(
        400,
        21606,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    if ((body ?? "").length > 1600)
      throw new TwilioApiError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    const statusCallback = form.get("StatusCallback");
    const m: FakeMessage = {
      sid: newSid("SM"),
      direction: "outbound-api",
      from: from ?? "",
      to,
      body: body ?? "",
      status: "queued",
      ...(statusCallback ? { statusCallback } : {}),
      dateCreated: now(),
      dateSent: null,
      errorCode: null,
    };
    messages.push(m);
    return m;
  };

  const createCall = (form: URLSearchParams): FakeCall => {
    const to = form.get("To");
    const from = form.get("From");
    if (!to) throw new TwilioApiError(400, 21201, "No 'To' number is specified");
    if (!from) throw new TwilioApiError(400, 21213, "No 'From' number is specified");
    const url = form.get("Url");
    const twiml = form.get("Twiml");
    if (!url && !twiml && !form.get("ApplicationSid"))
      throw new TwilioApiError(400, 21205, "Url parameter is required.");
    if (url) {
      try {
        new URL(url);
      } catch {
        throw new TwilioApiError(400, 21205, `Url is not a valid URL: ${url}`);
      }
    }
    if (!isE164(to) || to === "+15005550001") throw invalidToError(to);
    if (!numbers.has(from))
      throw new TwilioApiError(
        400,
        21210,
        `The source phone number provided, ${from}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.`,
      );
    const statusCallback = form.get("StatusCallback");
    const c: FakeCall = {
      sid: newSid("CA"),
      from,
      to,
      ...(url ? { url } : {}),
      method: (form.get("Method") ?? "POST").toUpperCase(),
      ...(twiml ? { twiml } : {}),
      ...(statusCallback ? { statusCallback } : {}),
      statusCallbackEvents: form.getAll("StatusCallbackEvent"),
      status: "queued",
      dateCreated: now(),
      startTime: null,
      endTime: null,
      digits: [],
    };
    calls.push(c);
    return c;
  };

  const list = <T extends { dateCreated: Date }>(
    items: T[],
    query: URLSearchParams,
    match: (item: T) => boolean,
  ): T[] => {
    const after = query.get("DateSent>") ?? query.get("StartTime>");
    const from = after ? new Date(after).getTime() : -Infinity;
    return items
      .filter((i) => match(i) && i.dateCreated.getTime() >= from)
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  };

  const route = async (req: http.IncomingMessage, url: URL): Promise<[number, unknown] | "hang"> => {
    const path = url.pathname;
    if (!path.startsWith(`/${API_VERSION}/Accounts/`)) throw notFoundError(path);
    if (!authorized(req)) throw authenticateError();
    if (!path.startsWith(`${base}/`)) throw authenticateError();
    if (down) throw serviceUnavailableError();
    const rest = path.slice(base.length);
    const resource = /^\/(Messages|Calls)(?:\/((?:SM|CA)[0-9a-f]{32}))?\.json$/.exec(rest);
    if (!resource) throw notFoundError(path);
    const [, kind, sid] = resource as unknown as [string, "Messages" | "Calls", string | undefined];
    if (req.method === "POST" && !sid) {
      const form = await readForm(req);
      const fault = faults.get(kind)?.shift();
      if (fault?.kind === "unavailable") throw serviceUnavailableError();
      if (fault?.kind === "internal") throw internalError();
      if (fault?.kind === "too_many_requests") throw tooManyRequestsError();
      const created = kind === "Messages" ? createMessage(form) : createCall(form);
      if (fault?.kind === "hang") return "hang";
      return [
        201,
        kind === "Messages"
          ? messageJson(accountSid, created as FakeMessage)
          : callJson(accountSid, created as FakeCall),
      ];
    }
    if (req.method !== "GET") throw new TwilioApiError(405, 20004, "Method not allowed");
    const pageSize = Math.min(1000, Number(url.searchParams.get("PageSize") ?? 50) || 50);
    const q = url.searchParams;
    if (kind === "Messages") {
      if (sid) {
        const m = messages.find((x) => x.sid === sid);
        if (!m) throw notFoundError(path);
        return [200, messageJson(accountSid, m)];
      }
      const found = list(
        messages,
        q,
        (m) => (!q.get("To") || m.to === q.get("To")) && (!q.get("From") || m.from === q.get("From")),
      );
      return [
        200,
        listJson(
          "messages",
          `${base}/Messages.json`,
          found.map((m) => messageJson(accountSid, m)),
          pageSize,
        ),
      ];
    }
    if (sid) {
      const c = calls.find((x) => x.sid === sid);
      if (!c) throw notFoundError(path);
      return [200, callJson(accountSid, c)];
    }
    const found = list(
      calls,
      q,
      (c) => (!q.get("To") || c.to === q.get("To")) && (!q.get("From") || c.from === q.get("From")),
    );
    return [
      200,
      listJson(
        "calls",
        `${base}/Calls.json`,
        found.map((c) => callJson(accountSid, c)),
        pageSize,
      ),
    ];
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // When the request arrived (what a benchmark measures), not when it was answered.
    const arrived = now();
    const record = (status: number) =>
      requests.push({ method: req.method ?? "GET", path: url.pathname, status, at: arrived });
    const send = (status: number, body: unknown) => {
      record(status);
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "twilio-request-id": `RQ${randomBytes(16).toString("hex")}`,
      });
      res.end(JSON.stringify(body));
    };
    route(req, url).then(
      (out) => {
        if (out === "hang") {
          record(0);
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        }
        send(out[0], out[1]);
      },
      (err: unknown) => {
        const e = err instanceof TwilioApiError ? err : internalError();
        send(e.status, e.body());
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const fake: TwilioFake = {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    calls,
    requests,
    webhooks,
    route: (u) => u,
    setNumber(number, config) {
      numbers.set(number, config);
    },
    failNext(resource, fault, times = 1) {
      const queue = faults.get(resource) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(fault);
      faults.set(resource, queue);
    },
    setDown(value) {
      down = value;
    },
    async replySms({ from, body, to }) {
      const owned = to ?? [...numbers.keys()][0];
      const smsUrl = owned ? numbers.get(owned)?.smsUrl : undefined;
      if (!owned || !smsUrl) throw new Error("replySms: the number has no SMS webhook (setNumber)");
      const sid = newSid("SM");
      messages.push({
        sid,
        direction: "inbound",
        from,
        to: owned,
        body,
        status: "received",
        dateCreated: now(),
        dateSent: now(),
        errorCode: null,
      });
      return post(smsUrl, {
        ToCountry: "US",
        ToState: "",
        SmsMessageSid: sid,
        NumMedia: "0",
        ToCity: "",
        FromZip: "",
        SmsSid: sid,
        FromState: "",
        SmsStatus: "received",
        FromCity: "",
        Body: body,
        FromCountry: "",
        To: owned,
        ToZip: "",
        NumSegments: "1",
        MessageSid: sid,
        AccountSid: accountSid,
        From: from,
        ApiVersion: API_VERSION,
      });
    },
    async answer(callSid) {
      const call = mustCall(callSid);
      call.status = "in-progress";
      call.startTime = now();
      if (call.twiml) return run(call, { status: 200, url: "", params: {}, headers: {}, body: call.twiml });
      return run(call, await post(call.url!, callParams(call)));
    },
    async press(callSid, digits) {
      const call = mustCall(callSid);
      const gather = call.script?.gather;
      if (call.status !== "in-progress" || !gather)
        throw new Error("press: the call is not waiting for keys");
      call.digits.push(digits);
      const action = new URL(gather.action ?? call.url ?? "", call.url).toString();
      return run(call, await post(action, { ...callParams(call), Digits: digits, FinishedOnKey: "" }));
    },
    async endCall(callSid, status = "completed") {
      const call = mustCall(callSid);
      call.status = status;
      call.endTime = now();
      if (!call.statusCallback) return null;
      return post(call.statusCallback, {
        ...callParams(call),
        CallDuration: call.startTime
          ? String(Math.round((call.endTime.getTime() - call.startTime.getTime()) / 1000))
          : "0",
        Timestamp: now().toUTCString().replace(/GMT$/, "+0000"),
        CallbackSource: "call-progress-events",
        SequenceNumber: "0",
      });
    },
    async replay(webhook) {
      return postWebhook(fake.route, webhook.url, webhook.params, webhook.headers);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function mustCall(sid: string): FakeCall {
    const call = calls.find((c) => c.sid === sid);
    if (!call) throw new Error(`no call ${sid}`);
    return call;
  }

  function callParams(call: FakeCall): Record<string, string> {
    return {
      AccountSid: accountSid,
      ApiVersion: API_VERSION,
      CallSid: call.sid,
      CallStatus: call.status,
      Called: call.to,
      Caller: call.from,
      Direction: "outbound-api",
      From: call.from,
      To: call.to,
    };
  }

  async function post(url: string, params: Record<string, string>): Promise<WebhookResult> {
    const result = await postWebhook(fake.route, url, params, {
      "x-twilio-signature": signFor(url, params),
      "i-twilio-idempotency-token": randomUUID(),
    });
    webhooks.push(result);
    return result;
  }

  function signFor(url: string, params: Record<string, string>): string {
    return twilioSignatureOf(authToken, url, params);
  }

  /** Runs the TwiML a webhook answered with; a call whose TwiML hangs up (or is not TwiML) ends. */
  function run(call: FakeCall, result: WebhookResult): WebhookResult {
    try {
      call.script = parseTwiml(result.body);
      // A <Gather> waits for keys; without one the call runs to its end (or <Hangup/>).
      if (!call.script.gather) {
        call.status = "completed";
        call.endTime = now();
      }
    } catch {
      delete call.script;
      call.status = "failed";
      call.endTime = now();
    }
    return result;
  }

  return fake;
}
