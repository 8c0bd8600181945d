import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import type { BlockAction, ButtonAction, SlashCommand, StaticSelectAction } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import {
  createSlackRequestSender,
  signSlackRequest,
  startSlackEmulator,
} from "../../src/emulator/slack/index.js";
import type { SlackEmulator, SlackRequestSender } from "../../src/emulator/slack/index.js";

const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

let emulator: SlackEmulator;
let app: App;
let sender: SlackRequestSender;

/** What the app's listeners were given, newest last. */
const received: {
  commands: SlashCommand[];
  retries: unknown[];
  actions: BlockAction[];
  submissions: unknown[];
  events: unknown[];
} = { commands: [], retries: [], actions: [], submissions: [], events: [] };

const declareModal = {
  type: "modal" as const,
  callback_id: "incident.declare",
  title: { type: "plain_text" as const, text: "Declare incident" },
  submit: { type: "plain_text" as const, text: "Declare" },
  blocks: [
    {
      type: "input",
      block_id: "summary",
      label: { type: "plain_text", text: "What is broken?" },
      element: { type: "plain_text_input", action_id: "value" },
    },
    {
      type: "input",
      block_id: "severity",
      label: { type: "plain_text", text: "Severity" },
      element: {
        type: "static_select",
        action_id: "choice",
        options: ["sev1", "sev2"].map((v) => ({
          text: { type: "plain_text", text: v.toUpperCase() },
          value: v,
        })),
      },
    },
    {
      type: "input",
      block_id: "commander",
      optional: true,
      label: { type: "plain_text", text: "Commander" },
      element: { type: "users_select", action_id: "user" },
    },
  ],
};

beforeAll(async () => {
  emulator = await startSlackEmulator();
  app = new App({
    receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR }),
    token: emulator.botToken,
    clientOptions: { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
    // Bolt checks the token with auth.test; wait for it rather than leave it in flight.
    deferInitialization: true,
  });
  await app.init();
  app.command("/incident", async ({ command, ack, respond, client, context }) => {
    received.commands.push(command);
    received.retries.push([context.retryNum, context.retryReason]);
    if (command.text === "declare") {
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: declareModal });
    } else if (command.text === "status") {
      await ack();
      await respond({ response_type: "in_channel", text: "No open incidents." });
    } else {
      await ack({ text: "Usage: /incident declare | status" });
    }
  });
  app.action<BlockAction<ButtonAction>>("incident.ack", async ({ ack, body, respond }) => {
    await ack();
    received.actions.push(body);
    await respond({ replace_original: true, text: `Acknowledged by <@${body.user.id}>` });
  });
  app.action<BlockAction<StaticSelectAction>>("incident.severity", async ({ ack, body }) => {
    await ack();
    received.actions.push(body);
  });
  app.view("incident.declare", async ({ ack, view }) => {
    received.submissions.push(view.state.values);
    const summary = view.state.values.summary?.value?.value ?? "";
    if (summary.length < 5)
      await ack({ response_action: "errors", errors: { summary: "Say a little more." } });
    else await ack();
  });
  app.event("app_mention", async ({ event }) => {
    received.events.push(event);
    await Promise.resolve();
  });
  const server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
  const { port } = server.address() as AddressInfo;
  sender = createSlackRequestSender({
    targetUrl: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    emulator,
  });
});

afterAll(async () => {
  await app.stop();
  await emulator.close();
});

beforeEach(() => {
  received.commands.length = 0;
  received.retries.length = 0;
  received.actions.length = 0;
  received.submissions.length = 0;
  received.events.length = 0;
});

describe("signing requests exactly as Slack signs them", () => {
  it("matches the signature in Slack's own documentation", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&" +
      "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&" +
      "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&" +
      "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(signSlackRequest(SIGNING_SECRET, body, 1531420618)).toEqual({
      "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
      "x-slack-request-timestamp": "1531420618",
    });
  });

  it("is accepted by a real Bolt app, which sees the command as Slack sends it", async () => {
    const result = await sender.slashCommand({
      command: "/incident",
      text: "help",
      userId: "U0ALICE",
      channelId: "C0INCIDENTS",
    });
    expect(result.status).toBe(200);
    expect(received.commands).toEqual([
      {
        token: expect.any(String),
        team_id: "T0FIREBRK",
        team_domain: "firebreak-local",
        channel_id: "C0INCIDENTS",
        channel_name: "incidents",
        user_id: "U0ALICE",
        user_name: "alice",
        command: "/incident",
        text: "help",
        api_app_id: "A0FIREBRK",
        is_enterprise_install: "false",
        response_url: result.responseUrl,
        trigger_id: result.triggerId,
      },
    ]);
  });

  it("is refused with 401 when signed with the wrong secret", async () => {
    const result = await sender.slashCommand(
      { command: "/incident", text: "help", userId: "U0ALICE", channelId: "C0INCIDENTS" },
      { signingSecret: "not-the-secret" },
    );
    expect(result.status).toBe(401);
    expect(received.commands).toEqual([]);
  });

  it("is refused with 401 when the timestamp is six minutes old", async () => {
    const result = await sender.slashCommand(
      { command: "/incident", text: "help", userId: "U0ALICE", channelId: "C0INCIDENTS" },
      { ageSeconds: 6 * 60 },
    );
    expect(result.status).toBe(401);
    expect(received.commands).toEqual([]);
  });

  it("carries Slack's retry headers through to the app", async () => {
    await sender.slashCommand(
      { command: "/incident", text: "help", userId: "U0ALICE", channelId: "C0INCIDENTS" },
      { retryNum: 1, retryReason: "http_timeout" },
    );
    expect(received.retries).toEqual([[1, "http_timeout"]]);
  });
});

describe("slash commands", () => {
  it("shows a non-empty acknowledgement to the user alone, as Slack does", async () => {
    const result = await sender.slashCommand({
      command: "/incident",
      text: "help",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    expect(result.ackMessage).toMatchObject({
      text: "Usage: /incident declare | status",
      ephemeral_for: "U0BOB",
    });
    expect(emulator.ephemerals("U0BOB").at(-1)?.text).toBe("Usage: /incident declare | status");
  });

  it("lets the app answer in the channel through the response_url", async () => {
    await sender.slashCommand({
      command: "/incident",
      text: "status",
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
    });
    const answer = await emulator.waitForMessage((m) => m.text === "No open incidents.");
    expect(answer).toMatchObject({ channel: "C0INCIDENTS", user: "U0FIREBRK" });
    expect(answer.ephemeral_for).toBeUndefined();
  });
});

describe("modals opened from a command and submitted", () => {
  async function openDeclareModal(userId: string) {
    await sender.slashCommand({ command: "/incident", text: "declare", userId, channelId: "C0INCIDENTS" });
    const event = await emulator.waitFor((e) => e.type === "view" && e.view.user === userId);
    return event.type === "view" ? event.view : expect.unreachable();
  }

  it("opens the modal with the command's trigger id and closes it on a plain ack", async () => {
    const view = await openDeclareModal("U0CAROL");
    expect(emulator.views("U0CAROL").map((v) => v.id)).toEqual([view.id]);
    const result = await sender.submitView({
      userId: "U0CAROL",
      callbackId: "incident.declare",
      values: {
        summary: { value: "checkout returns 500" },
        severity: { choice: "sev1" },
        commander: { user: "U0BOB" },
      },
    });
    expect(result.status).toBe(200);
    expect(received.submissions).toEqual([
      {
        summary: { value: { type: "plain_text_input", value: "checkout returns 500" } },
        severity: {
          choice: {
            type: "static_select",
            selected_option: { text: { type: "plain_text", text: "SEV1" }, value: "sev1" },
          },
        },
        commander: { user: { type: "users_select", selected_user: "U0BOB" } },
      },
    ]);
    expect(result.stack).toEqual([]);
  });

  it("keeps the modal open with the app's errors", async () => {
    await openDeclareModal("U0DAVE");
    const result = await sender.submitView({
      userId: "U0DAVE",
      callbackId: "incident.declare",
      values: { summary: { value: "db" }, severity: { choice: "sev2" } },
    });
    expect(result.stack).toHaveLength(1);
    expect(result.stack[0]?.errors).toEqual({ summary: "Say a little more." });
    expect(received.submissions).toEqual([
      expect.objectContaining({ commander: { user: { type: "users_select", selected_user: null } } }),
    ]);
  });

  it("closes the modal when the user cancels, telling the app only if it asked", async () => {
    await openDeclareModal("U0BOB");
    const closed = await sender.closeView({ userId: "U0BOB" });
    expect(closed).toBeUndefined();
    expect(emulator.views("U0BOB")).toEqual([]);
  });

  it("will not submit without a required input, as Slack's client would not", async () => {
    await openDeclareModal("U0ALICE");
    await expect(
      sender.submitView({
        userId: "U0ALICE",
        callbackId: "incident.declare",
        values: { severity: { choice: "sev2" } },
      }),
    ).rejects.toThrow(/summary\/value is required/);
    expect(received.submissions).toEqual([]);
  });
});

describe("buttons and menus on a message", () => {
  async function postIncidentCard(): Promise<string> {
    const posted = await app.client.chat.postMessage({
      channel: "C0INCIDENTS",
      text: "Incident 7: checkout down",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "*Incident 7*: checkout down" } },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              text: { type: "plain_text", text: "Acknowledge" },
              action_id: "incident.ack",
              value: "7",
            },
            {
              type: "static_select",
              action_id: "incident.severity",
              placeholder: { type: "plain_text", text: "Severity" },
              options: ["sev1", "sev2"].map((v) => ({ text: { type: "plain_text", text: v }, value: v })),
            },
          ],
        },
      ],
    });
    return posted.ts ?? "";
  }

  it("sends a click as block_actions carrying the stored message, and lets the app replace it", async () => {
    const ts = await postIncidentCard();
    const stored = emulator.messages("C0INCIDENTS").find((m) => m.ts === ts);
    const actionsBlockId = (stored?.blocks?.[1] as { block_id: string }).block_id;
    const result = await sender.clickButton({
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
      messageTs: ts,
      actionId: "incident.ack",
    });
    expect(result.status).toBe(200);
    const body = received.actions[0];
    expect(body).toMatchObject({
      type: "block_actions",
      user: { id: "U0BOB", username: "bob", name: "bob", team_id: "T0FIREBRK" },
      container: { type: "message", message_ts: ts, channel_id: "C0INCIDENTS", is_ephemeral: false },
      channel: { id: "C0INCIDENTS", name: "incidents" },
      message: { ts, text: "Incident 7: checkout down", blocks: stored?.blocks },
      trigger_id: result.triggerId,
      response_url: result.responseUrl,
      actions: [
        {
          type: "button",
          action_id: "incident.ack",
          block_id: actionsBlockId,
          value: "7",
          text: { type: "plain_text", text: "Acknowledge" },
          action_ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
        },
      ],
    });
    const replaced = await emulator.waitForMessage(
      (m) => m.ts === ts && m.text === "Acknowledged by <@U0BOB>",
    );
    expect(replaced.history.map((h) => h.text)).toEqual(["Incident 7: checkout down"]);
  });

  it("sends a menu choice as a static_select action with the chosen option", async () => {
    const ts = await postIncidentCard();
    await sender.selectOption({
      userId: "U0ALICE",
      channelId: "C0INCIDENTS",
      messageTs: ts,
      actionId: "incident.severity",
      selectedValue: "sev2",
    });
    expect(received.actions[0]?.actions[0]).toMatchObject({
      type: "static_select",
      action_id: "incident.severity",
      selected_option: { text: { type: "plain_text", text: "sev2" }, value: "sev2" },
    });
  });

  it("fails loudly when the message has no such button or option", async () => {
    const ts = await postIncidentCard();
    const click = sender.clickButton({
      userId: "U0BOB",
      channelId: "C0INCIDENTS",
      messageTs: ts,
      actionId: "nope",
    });
    await expect(click).rejects.toBeInstanceOf(FirebreakError);
    await expect(click).rejects.toThrow(/no button with action_id nope; it offers: button incident\.ack/);
    await expect(
      sender.selectOption({
        userId: "U0BOB",
        channelId: "C0INCIDENTS",
        messageTs: ts,
        actionId: "incident.severity",
        selectedValue: "sev9",
      }),
    ).rejects.toThrow(/no option sev9/);
    expect(received.actions).toEqual([]);
  });
});

describe("events", () => {
  it("delivers an Events API callback the app's event listener receives", async () => {
    const result = await sender.sendEvent({
      type: "app_mention",
      user: "U0ALICE",
      text: "<@U0FIREBRK> status",
      channel: "C0INCIDENTS",
      ts: "1700000000.000100",
    });
    expect(result.status).toBe(200);
    expect(received.events).toEqual([
      expect.objectContaining({ type: "app_mention", user: "U0ALICE", text: "<@U0FIREBRK> status" }),
    ]);
  });
});
