import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import { emailMessage, ntfyMessage, voiceScript } from "../../src/core/notify/page-messages.js";
import { startNtfyFake } from "../../src/emulator/ntfy/index.js";
import type { NtfyFake } from "../../src/emulator/ntfy/index.js";
import { startTwilioFake } from "../../src/emulator/twilio/index.js";
import type { TwilioFake } from "../../src/emulator/twilio/index.js";
import { createEmailProvider } from "../../src/providers/email.js";
import { createNtfyProvider } from "../../src/providers/ntfy.js";
import {
  createTwilioProvider,
  gatherTwiml,
  sayTwiml,
  twilioSignatureValid,
} from "../../src/providers/twilio.js";
import type { PageProvider } from "../../src/core/ports.js";
import { isRetryable } from "../../src/core/notify/provider-errors.js";
import { startSmtpSink } from "../support/smtp-sink.js";
import type { SmtpSink } from "../support/smtp-sink.js";

const FROM = "+14155550100";
const ALICE = "+4915112345678";
const PUBLIC = "https://firebreak.example.test";

async function failure(p: Promise<unknown>): Promise<FirebreakError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FirebreakError);
    return err as FirebreakError;
  }
  throw new Error("expected a failure");
}

describe("Twilio through the official client, against the Twilio-compatible fake", () => {
  let fake: TwilioFake;
  let twilio: PageProvider;
  let app: Server;
  /** What the app behind the proxy received: form params and whether the signature held. */
  const inbound: { path: string; params: Record<string, string>; valid: boolean }[] = [];

  beforeAll(async () => {
    fake = await startTwilioFake({ numbers: { [FROM]: { smsUrl: `${PUBLIC}/twilio/sms` } } });
    twilio = await createTwilioProvider({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: FROM,
      apiUrl: fake.url,
      timeoutMs: 1_000,
    });
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
          const url = `${PUBLIC}${req.url}`;
          const valid = await twilioSignatureValid(
            fake.authToken,
            String(req.headers["x-twilio-signature"]),
            url,
            params,
          );
          inbound.push({ path: req.url ?? "", params, valid });
          res.setHeader("content-type", "text/xml");
          if (req.url?.startsWith("/twilio/voice?step=answer"))
            res.end(
              await gatherTwiml({
                ...voiceScript([{ incidentId: 12, severity: "P1", title: "Checkout", ackCode: "4821" }]),
                action: `${PUBLIC}/twilio/voice?step=key`,
              }),
            );
          else if (req.url?.startsWith("/twilio/voice?step=key"))
            res.end(await sayTwiml("Acknowledged. Goodbye."));
          else res.end("<Response/>");
        })();
      });
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    const local = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    fake.route = (u) => u.replace(PUBLIC, local);
  });
  afterAll(async () => {
    await fake.close();
    await new Promise((r) => app.close(r));
  });

  it("sends an SMS: Twilio's Message resource comes back with its SID", async () => {
    const receipt = await twilio.send({
      type: "sms",
      to: ALICE,
      body: "Firebreak: #12 P1 Checkout. Reply ACK 4821.",
    });
    expect(receipt.ref).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.messages.at(-1)).toMatchObject({ sid: receipt.ref, to: ALICE, from: FROM, status: "queued" });
    const res = await fetch(
      `${fake.url}/2010-04-01/Accounts/${fake.accountSid}/Messages/${receipt.ref}.json`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString("base64")}`,
        },
      },
    );
    expect(await res.json()).toMatchObject({
      direction: "outbound-api",
      num_segments: "1",
      api_version: "2010-04-01",
    });
  });

  it("translates 21211 (invalid 'To') into a refusal that is not retried, without the number", async () => {
    const err = await failure(twilio.send({ type: "sms", to: "+15005550001", body: "x" }));
    expect(err.code).toBe("input_invalid");
    expect(err.message).toContain("Twilio 21211");
    expect(err.message).not.toContain("+15005550001");
    expect(isRetryable(err)).toBe(false);
  });

  it("translates 20003 (bad credentials) into a configuration error naming the variables", async () => {
    const wrong = await createTwilioProvider({
      accountSid: fake.accountSid,
      authToken: "nope",
      from: FROM,
      apiUrl: fake.url,
    });
    const err = await failure(wrong.send({ type: "sms", to: ALICE, body: "x" }));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toMatch(/Twilio 20003: Authenticate: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
  });

  it("a Twilio that is down is worth a retry, and works again once back", async () => {
    fake.setDown(true);
    const err = await failure(twilio.send({ type: "sms", to: ALICE, body: "down" }));
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain("20503");
    expect(isRetryable(err)).toBe(true);
    fake.setDown(false);
    expect((await twilio.send({ type: "sms", to: ALICE, body: "back" })).ref).toMatch(/^SM/);
  });

  it("after an answer that never came, finds the message Twilio did take", async () => {
    const since = new Date(Date.now() - 1_000);
    fake.failNext("Messages", { kind: "hang" });
    const body = `in doubt ${Math.random()}`;
    const err = await failure(twilio.send({ type: "sms", to: "+4915199999999", body }));
    expect(isRetryable(err)).toBe(true);
    const sid = await twilio.findSent!({ type: "sms", to: "+4915199999999", body }, since);
    expect(sid).toBe(fake.messages.find((m) => m.body === body)?.sid);
    expect(await twilio.findSent!({ type: "sms", to: "+4915188888888", body }, since)).toBeNull();
  });

  it("calls: the answered call fetches signed TwiML, the key press is posted signed to the Gather action", async () => {
    inbound.length = 0;
    const { ref } = await twilio.send({
      type: "voice",
      to: ALICE,
      url: `${PUBLIC}/twilio/voice?step=answer`,
      statusCallback: `${PUBLIC}/twilio/status`,
    });
    const call = fake.calls.find((c) => c.sid === ref)!;
    expect(call.status).toBe("queued");
    await fake.answer(call.sid);
    expect(call.script?.gather).toMatchObject({ action: `${PUBLIC}/twilio/voice?step=key`, numDigits: 1 });
    expect(call.script?.gather?.says[0]).toContain("Press 1 to acknowledge. Press 2 to escalate");
    await fake.press(call.sid, "1");
    expect(call.script?.says).toEqual(["Acknowledged. Goodbye."]);
    expect(call.status).toBe("completed");
    await fake.endCall(call.sid);
    expect(inbound.map((i) => [i.path.split("?")[0], i.params.Digits ?? null, i.valid])).toEqual([
      ["/twilio/voice", null, true],
      ["/twilio/voice", "1", true],
      ["/twilio/status", null, true],
    ]);
    expect(inbound[2]!.params).toMatchObject({ CallSid: call.sid, CallStatus: "completed" });
  });

  it("inbound SMS is signed as Twilio signs it; an altered parameter breaks the signature", async () => {
    inbound.length = 0;
    const reply = await fake.replySms({ from: ALICE, body: "ack 4821" });
    expect(inbound[0]).toMatchObject({
      path: "/twilio/sms",
      valid: true,
      params: { Body: "ack 4821", From: ALICE, To: FROM },
    });
    expect(reply.headers["i-twilio-idempotency-token"]).toBeTruthy();
    await fake.replay({ ...reply, params: { ...reply.params, Body: "esc 4821" } });
    expect(inbound[1]).toMatchObject({ valid: false });
  });
});

describe("ntfy through its publish API, against the ntfy fake", () => {
  let ntfy: NtfyFake;
  beforeAll(async () => {
    ntfy = await startNtfyFake({ tokens: ["tk_firebreak"] });
  });
  afterAll(async () => ntfy.close());
  const push = ntfyMessage({
    incidentId: 12,
    severity: "P1",
    title: "Checkout",
    ackCode: "4821",
    ackUrl: "https://fb.example/ack/t",
  });

  it("publishes at priority 5 with the Acknowledge button, with the token", async () => {
    const provider = createNtfyProvider({ url: ntfy.url, token: "tk_firebreak" });
    const { ref } = await provider.send({ type: "ntfy", topic: "alice-pages", message: push });
    expect(ntfy.messages.at(-1)).toMatchObject({
      id: ref,
      topic: "alice-pages",
      priority: 5,
      title: "#12 P1: Checkout",
      actions: [
        {
          action: "http",
          label: "Acknowledge",
          url: "https://fb.example/ack/t",
          method: "POST",
          clear: true,
        },
      ],
    });
    expect(ntfy.requests.at(-1)?.authorization).toBe("Bearer tk_firebreak");
    expect(
      await provider.findSent!(
        { type: "ntfy", topic: "alice-pages", message: push },
        new Date(Date.now() - 5_000),
      ),
    ).toBe(ref);
  });

  it("refuses without or with a wrong token (a configuration error), limits with 429 (a retry)", async () => {
    const anonymous = createNtfyProvider({ url: ntfy.url });
    expect(await failure(anonymous.send({ type: "ntfy", topic: "t", message: push }))).toMatchObject({
      code: "config_invalid",
      message: expect.stringContaining("ntfy 40301: forbidden"),
    });
    const wrong = createNtfyProvider({ url: ntfy.url, token: "tk_wrong" });
    expect((await failure(wrong.send({ type: "ntfy", topic: "t", message: push }))).message).toContain(
      "ntfy 40101: unauthorized",
    );
    const ok = createNtfyProvider({ url: ntfy.url, token: "tk_firebreak" });
    ntfy.failNext();
    expect((await failure(ok.send({ type: "ntfy", topic: "t", message: push }))).code).toBe("rate_limited");
    expect((await failure(ok.send({ type: "ntfy", topic: "bad topic", message: push }))).code).toBe(
      "input_invalid",
    );
    ntfy.setDown(true);
    expect((await failure(ok.send({ type: "ntfy", topic: "t", message: push }))).code).toBe(
      "dependency_unavailable",
    );
    ntfy.setDown(false);
  });
});

describe("email through SMTP with nodemailer, against a real SMTP server", () => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(async () => smtp.close());
  const mail = emailMessage([
    {
      incidentId: 12,
      severity: "P1",
      title: "Checkout ü",
      ackCode: "4821",
      ackUrl: "https://fb.example/ack/t",
    },
  ]);

  it("delivers text and HTML with the Message-ID of the delivery", async () => {
    const email = await createEmailProvider({ smtpUrl: smtp.url, from: "Firebreak <pages@fb.example>" });
    const { ref } = await email.send({
      type: "email",
      to: "alice@example.com",
      ...mail,
      messageId: "<delivery-7@firebreak>",
    });
    expect(ref).toBe("<delivery-7@firebreak>");
    const got = smtp.mails.at(-1)!;
    expect(got.envelopeTo).toEqual(["alice@example.com"]);
    expect(got.subject).toBe("[Firebreak] #12 P1: Checkout ü");
    expect(got.headers["message-id"]).toBe("<delivery-7@firebreak>");
    expect(got.text).toContain("Acknowledge: https://fb.example/ack/t");
    expect(got.html).toContain('href="https://fb.example/ack/t"');
    await email.close?.();
  });

  it("a wrong password is a configuration error; a server refusing service is worth a retry", async () => {
    const wrong = await createEmailProvider({
      smtpUrl: smtp.url.replace("smtp-secret", "nope"),
      from: "pages@fb.example",
    });
    expect(
      (await failure(wrong.send({ type: "email", to: "a@b.co", ...mail, messageId: "<x@fb>" }))).code,
    ).toBe("config_invalid");
    smtp.setDown(true);
    const email = await createEmailProvider({ smtpUrl: smtp.url, from: "pages@fb.example" });
    const err = await failure(email.send({ type: "email", to: "a@b.co", ...mail, messageId: "<y@fb>" }));
    expect(isRetryable(err)).toBe(true);
    smtp.setDown(false);
  });
});
