import { once } from "node:events";
import { App, LogLevel } from "@slack/bolt";
import type { Logger } from "@slack/bolt";
import { ErrorCode, WebClient } from "@slack/web-api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createSlackRequestSender, startSlackEmulator } from "../../src/emulator/slack/index.js";
import type { SlackEmulator, SlackRequestSender } from "../../src/emulator/slack/index.js";

type Frame = Record<string, unknown> & { envelope_id?: string; type?: string };

/** A Socket Mode client written against the wire protocol, so each test decides when to ack. */
interface RawClient {
  ws: WebSocket;
  hello: Frame;
  next(): Promise<Frame>;
  ack(envelopeId: unknown, payload?: Record<string, unknown>): void;
}

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

let emulator: SlackEmulator;
let sender: SlackRequestSender;
const clients: RawClient[] = [];

beforeAll(async () => {
  emulator = await startSlackEmulator({
    socketMode: { ackTimeoutMs: 2000, retryDelaysMs: [0, 0], disconnectGraceMs: 200 },
  });
  sender = createSlackRequestSender({ socketMode: true, emulator });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  const deadline = Date.now() + 5000;
  while (emulator.socketMode.connections().some((c) => !c.closedAt) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  await emulator.close();
});

function webClient(token?: string): WebClient {
  return new WebClient(token, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 }, logger: quiet });
}

async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError && e.data?.error) return e.data.error;
    throw err;
  }
  throw new Error("expected the call to fail");
}

async function openUrl(): Promise<string> {
  const res = await webClient(emulator.appToken).apps.connections.open({});
  return res.url!;
}

async function connect(url?: string): Promise<RawClient> {
  const ws = new WebSocket(url ?? (await openUrl()));
  const queue: Frame[] = [];
  const waiters: ((f: Frame) => void)[] = [];
  ws.on("message", (data) => {
    const frame = JSON.parse((data as Buffer).toString("utf8")) as Frame;
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else queue.push(frame);
  });
  const next = () =>
    queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<Frame>((r) => waiters.push(r));
  await once(ws, "open");
  const client: RawClient = {
    ws,
    hello: await next(),
    next,
    ack: (envelopeId, payload) =>
      ws.send(JSON.stringify({ envelope_id: envelopeId, ...(payload ? { payload } : {}) })),
  };
  clients.push(client);
  return client;
}

const helpCommand = () =>
  sender.slashCommand({ command: "/incident", text: "help", userId: "U0BOB", channelId: "C0INCIDENTS" });

describe("apps.connections.open, as Slack answers it", () => {
  it("gives the app-level token a single-use WebSocket URL that greets with hello", async () => {
    const url = await openUrl();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0FIREBRK$/);
    const client = await connect(url);
    expect(client.hello).toEqual({
      type: "hello",
      num_connections: 1,
      debug_info: {
        host: expect.any(String),
        build_number: expect.any(Number),
        approximate_connection_time: 18060,
      },
      connection_info: { app_id: "A0FIREBRK" },
    });
    const again = new WebSocket(url);
    const [request, response] = (await once(again, "unexpected-response")) as [
      { destroy(): void },
      { statusCode: number },
    ];
    request.destroy();
    expect(response.statusCode).toBe(401);
  });

  it("refuses the bot token, an unknown app token and no token, as Slack does", async () => {
    expect(await slackError(webClient(emulator.botToken).apps.connections.open({}))).toBe(
      "not_allowed_token_type",
    );
    expect(await slackError(webClient("xapp-1-A0FIREBRK-9-revoked").apps.connections.open({}))).toBe(
      "invalid_auth",
    );
    expect(await slackError(webClient().apps.connections.open({}))).toBe("not_authed");
    expect(await slackError(webClient(emulator.appToken).auth.test())).toBe("not_allowed_token_type");
  });
});

describe("envelopes", () => {
  it("carries a slash command's fields and shows the ack's payload to that user alone", async () => {
    const client = await connect();
    const sending = helpCommand();
    const envelope = await client.next();
    expect(envelope).toMatchObject({
      envelope_id: expect.any(String),
      type: "slash_commands",
      accepts_response_payload: true,
      payload: {
        command: "/incident",
        text: "help",
        user_id: "U0BOB",
        channel_id: "C0INCIDENTS",
        team_id: "T0FIREBRK",
        api_app_id: "A0FIREBRK",
        trigger_id: expect.any(String),
        response_url: expect.stringContaining("/response/"),
      },
    });
    expect(envelope).not.toHaveProperty("retry_attempt");
    client.ack(envelope.envelope_id, { text: "Usage: /incident declare" });
    const res = await sending;
    expect(res).toMatchObject({ status: 200, envelopeId: envelope.envelope_id });
    expect(res.ackMessage).toMatchObject({ text: "Usage: /incident declare", ephemeral_for: "U0BOB" });
  });

  it("redelivers an Events API envelope nobody acknowledged, same envelope_id, numbered as a retry", async () => {
    const client = await connect();
    const sending = sender.sendEvent({
      type: "app_mention",
      user: "U0BOB",
      text: "hi",
      channel: "C0INCIDENTS",
    });
    const first = await client.next();
    const second = await client.next();
    expect(first).toMatchObject({
      type: "events_api",
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: "",
      payload: {
        type: "event_callback",
        event_id: expect.stringMatching(/^Ev/),
        event: { type: "app_mention" },
      },
    });
    expect(second).toMatchObject({
      envelope_id: first.envelope_id,
      retry_attempt: 1,
      retry_reason: "timeout",
    });
    expect(second.payload).toEqual(first.payload);
    client.ack(second.envelope_id);
    expect(await sending).toMatchObject({ status: 200, deliveries: 2, envelopeId: first.envelope_id });
  });

  it("redelivers an interaction whose ack was lost, and answers with the ack that arrived", async () => {
    const client = await connect();
    emulator.socketMode.dropAcks(1);
    const message = emulator.state.postMessage({
      channel: "C0INCIDENTS",
      user: emulator.state.identity.botUserId,
      text: "Incident #1",
      blocks: [
        {
          type: "actions",
          elements: [
            {
              type: "button",
              text: { type: "plain_text", text: "Ack" },
              action_id: "incident.ack",
              value: "1",
            },
          ],
        },
      ],
    });
    const sending = sender.clickButton({
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
      messageTs: message.ts,
      actionId: "incident.ack",
    });
    const first = await client.next();
    expect(first).toMatchObject({ type: "interactive", accepts_response_payload: true });
    expect(first.payload).toMatchObject({ type: "block_actions", actions: [{ action_id: "incident.ack" }] });
    client.ack(first.envelope_id);
    const second = await client.next();
    expect(second).toEqual(first);
    client.ack(second.envelope_id);
    expect(await sending).toMatchObject({ status: 200, deliveries: 2 });
    const acks = emulator.socketMode.acks.filter((a) => a.envelopeId === first.envelope_id);
    expect(acks.map((a) => a.dropped)).toEqual([true, false]);
  });

  it("redelivers on the next connection when the one carrying the envelope dies before the ack", async () => {
    const first = await connect();
    emulator.socketMode.dropConnectionAfterNextEnvelope();
    const sending = helpCommand();
    await once(first.ws, "close");
    const second = await connect();
    const envelope = await second.next();
    second.ack(envelope.envelope_id);
    const res = await sending;
    expect(res).toMatchObject({ status: 200, deliveries: 2 });
    const sent = emulator.socketMode.sent.filter((s) => s.envelopeId === res.envelopeId);
    expect(sent.map((s) => s.connectionId)).toEqual([
      emulator.socketMode.connections().at(-2)!.id,
      emulator.socketMode.connections().at(-1)!.id,
    ]);
  });

  it("fails a slash command at once with dispatch_failed when no connection is open", async () => {
    const res = await helpCommand();
    expect(res).toMatchObject({ status: 0, deliveries: 0, deliveryError: "dispatch_failed" });
    expect(res.ackMessage).toBeUndefined();
  });

  it("gives up with operation_timeout after the last redelivery goes unacknowledged", async () => {
    const client = await connect();
    const res = await helpCommand();
    expect(res).toMatchObject({ status: 0, deliveries: 3, deliveryError: "operation_timeout" });
    const ids = new Set(
      [await client.next(), await client.next(), await client.next()].map((f) => f.envelope_id),
    );
    expect(ids.size).toBe(1);
  });
});

describe("disconnect", () => {
  it("tells the client why, sends it nothing more, and closes it after the grace period", async () => {
    const client = await connect();
    const closed = once(client.ws, "close");
    const told = emulator.socketMode.disconnect("warning");
    expect(told.map((c) => c.disconnectReason)).toEqual(["warning"]);
    expect(await client.next()).toEqual({
      type: "disconnect",
      reason: "warning",
      debug_info: { host: expect.any(String) },
    });
    expect(emulator.socketMode.openConnections()).toEqual([]);
    expect(await helpCommand()).toMatchObject({ deliveryError: "dispatch_failed" });
    await closed;
  });
});

describe("driven by Bolt through @slack/socket-mode", () => {
  let slack: SlackEmulator;
  let app: App;
  let boltSender: SlackRequestSender;
  const commands: string[] = [];

  beforeAll(async () => {
    slack = await startSlackEmulator();
    app = new App({
      token: slack.botToken,
      appToken: slack.appToken,
      socketMode: true,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
      logger: quiet,
      deferInitialization: true,
    });
    await app.init();
    app.command("/incident", async ({ command, ack, client }) => {
      commands.push(command.text);
      if (command.text === "declare") {
        await ack();
        await client.views.open({
          trigger_id: command.trigger_id,
          view: {
            type: "modal",
            callback_id: "declare",
            title: { type: "plain_text", text: "Declare" },
            submit: { type: "plain_text", text: "Declare" },
            blocks: [
              {
                type: "input",
                block_id: "title",
                label: { type: "plain_text", text: "Title" },
                element: { type: "plain_text_input", action_id: "title" },
              },
            ],
          },
        });
      } else await ack({ text: `You said ${command.text}` });
    });
    app.view("declare", async ({ ack }) => {
      await ack({ response_action: "errors", errors: { title: "Say more." } });
    });
    await app.start();
    boltSender = createSlackRequestSender({ socketMode: true, emulator: slack });
  });

  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  it("connects through apps.connections.open at the given API URL and answers over the socket", async () => {
    expect(slack.callsTo("apps.connections.open")).toHaveLength(1);
    const res = await boltSender.slashCommand({
      command: "/incident",
      text: "status",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    expect(res.status).toBe(200);
    expect(res.ackMessage).toMatchObject({ text: "You said status", ephemeral_for: "U0BOB" });
  });

  it("keeps a modal open with the errors its ack carries", async () => {
    await boltSender.slashCommand({
      command: "/incident",
      text: "declare",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    await slack.waitForCall("views.open");
    const res = await boltSender.submitView({
      userId: "U0BOB",
      callbackId: "declare",
      values: { title: { title: "x" } },
    });
    expect(res.status).toBe(200);
    expect(res.stack.at(-1)?.errors).toEqual({ title: "Say more." });
  });

  it("reconnects after refresh_requested and goes on receiving", async () => {
    const [old] = slack.socketMode.disconnect("refresh_requested");
    await slack.socketMode.waitForConnection((c) => c.id > old!.id);
    expect(slack.callsTo("apps.connections.open")).toHaveLength(2);
    const res = await boltSender.slashCommand({
      command: "/incident",
      text: "after",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    expect(res.ackMessage?.text).toBe("You said after");
    expect(commands.filter((c) => c === "after")).toHaveLength(1);
  });
});
