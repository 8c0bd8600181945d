import { FirebreakError } from "../../core/errors.js";
import { isRecord, slackErrorBody } from "./args.js";
import type { SlackEmulator } from "./emulator.js";
import { httpTransport, socketModeTransport } from "./inbound-transport.js";
import type { InboundResponse, SendOptions } from "./inbound-transport.js";
import type { FoundElement, InboundContext } from "./interaction-payloads.js";
import {
  actionTs,
  blockActionsPayload,
  findMessageElement,
  findOption,
  requireUser,
  slashCommandFields,
  userRef,
} from "./interaction-payloads.js";
import { readMessageContent } from "./methods/message-content.js";
import { viewIssues } from "./methods/views.js";
import { viewJson } from "./serialize.js";
import type { EmulatedMessage, EmulatedView } from "./types.js";
import type { SubmittedValues } from "./view-state.js";
import { buildViewStateValues } from "./view-state.js";

export type { InboundResponse, SendOptions } from "./inbound-transport.js";

/**
 * How to reach the app: over HTTP (its Request URL, each request signed) or, with
 * `socketMode`, as envelopes on the Socket Mode connections the app opened with the emulator.
 */
export type SlackRequestSenderOptions = {
  emulator: SlackEmulator;
  /** Clock for the signature timestamp (Bolt compares it with the real time) and action_ts. */
  now?: () => Date;
  /** The legacy verification token put in payloads. */
  verificationToken?: string;
} & (
  | {
      /** The app's Request URL, e.g. `http://127.0.0.1:PORT/slack/events`. */
      targetUrl: string;
      signingSecret: string;
      socketMode?: false;
    }
  | { socketMode: true }
);

/** A slash command's answer, with the URLs it carried. */
export interface SlashCommandResponse extends InboundResponse {
  responseUrl: string;
  triggerId: string;
  /** The message Slack shows for a non-empty acknowledgement, if any. */
  ackMessage?: EmulatedMessage;
  /** Why Slack could not show the acknowledgement (e.g. `invalid_blocks`). */
  ackError?: string;
}

/** An interaction's answer, with the URLs it carried. */
export interface InteractionResponse extends InboundResponse {
  responseUrl: string;
  triggerId: string;
}

/** A view submission's answer, and what became of the modal. */
export interface ViewSubmissionResponse extends InboundResponse {
  triggerId: string;
  /** The submitted view as sent (with `state.values`). */
  submitted: EmulatedView;
  /** The user's modal stack after Slack applied the answer. */
  stack: EmulatedView[];
  /** Why Slack could not apply a `response_action` (e.g. an invalid view). */
  responseActionError?: string;
}

/** Sends the signed requests Slack sends an app: slash commands, interactions, events. */
export interface SlackRequestSender {
  slashCommand(
    input: { command: string; text: string; userId: string; channelId: string },
    options?: SendOptions,
  ): Promise<SlashCommandResponse>;
  clickButton(
    input: {
      userId: string;
      channelId: string;
      messageTs: string;
      actionId: string;
      value?: string;
      blockId?: string;
    },
    options?: SendOptions,
  ): Promise<InteractionResponse>;
  selectOption(
    input: {
      userId: string;
      channelId: string;
      messageTs: string;
      actionId: string;
      selectedValue: string;
      blockId?: string;
    },
    options?: SendOptions,
  ): Promise<InteractionResponse>;
  submitView(
    input: { userId: string; viewId?: string; callbackId?: string; values: SubmittedValues },
    options?: SendOptions,
  ): Promise<ViewSubmissionResponse>;
  /** Closes a user's top modal; sends `view_closed` when the view asked (notify_on_close). */
  closeView(
    input: { userId: string; viewId?: string },
    options?: SendOptions,
  ): Promise<InboundResponse | undefined>;
  /** An Events API `event_callback` wrapping `event`. */
  sendEvent(event: Record<string, unknown>, options?: SendOptions): Promise<InboundResponse>;
  /** A raw body, signed (or mis-signed) as asked. */
  send(rawBody: string, contentType: string, options?: SendOptions): Promise<InboundResponse>;
}

const DEFAULT_VERIFICATION_TOKEN = "emulator-verification-token";

export function createSlackRequestSender(options: SlackRequestSenderOptions): SlackRequestSender {
  const { emulator } = options;
  const state = emulator.state;
  const now = options.now ?? (() => new Date());
  const ctx: InboundContext = {
    state,
    verificationToken: options.verificationToken ?? DEFAULT_VERIFICATION_TOKEN,
    now,
  };

  const send = options.socketMode
    ? socketModeTransport(emulator.socketMode)
    : httpTransport({ targetUrl: options.targetUrl, signingSecret: options.signingSecret, now });

  const sendForm = (fields: Record<string, string>, sendOptions?: SendOptions) =>
    send(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded", sendOptions);

  const sendPayload = (payload: Record<string, unknown>, sendOptions?: SendOptions) =>
    sendForm({ payload: JSON.stringify(payload) }, sendOptions);

  async function sendAction(
    userId: string,
    found: FoundElement,
    action: Record<string, unknown>,
    stateValues: Record<string, Record<string, unknown>>,
    sendOptions?: SendOptions,
  ): Promise<InteractionResponse> {
    const triggerId = emulator.issueTriggerId(userId);
    const responseUrl = emulator.responseUrl(found.message.channel, userId, {
      messageTs: found.message.ts,
      ephemeral: found.message.ephemeral_for !== undefined,
    });
    const payload = blockActionsPayload(ctx, { userId, found, action, triggerId, responseUrl, stateValues });
    return { ...(await sendPayload(payload, sendOptions)), responseUrl, triggerId };
  }

  return {
    send,

    async slashCommand(input, sendOptions) {
      requireUser(state, input.userId);
      const triggerId = emulator.issueTriggerId(input.userId);
      const responseUrl = emulator.responseUrl(input.channelId, input.userId);
      const fields = slashCommandFields(ctx, { ...input, responseUrl, triggerId });
      const response = await sendForm(fields, sendOptions);
      return { ...response, responseUrl, triggerId, ...showAcknowledgement(input, response) };
    },

    async clickButton(input, sendOptions) {
      const found = findMessageElement(state, { ...input, types: ["button"] });
      const { element } = found;
      const action = {
        action_id: element.action_id,
        block_id: found.blockId,
        text: element.text,
        ...(element.value === undefined ? {} : { value: element.value }),
        ...(element.style === undefined ? {} : { style: element.style }),
        type: "button",
        action_ts: actionTs(now),
      };
      return sendAction(input.userId, found, action, {}, sendOptions);
    },

    async selectOption(input, sendOptions) {
      const { selectedValue, ...rest } = input;
      const found = findMessageElement(state, {
        ...rest,
        types: ["static_select", "overflow", "radio_buttons"],
      });
      const { element } = found;
      const type = String(element.type);
      const option = findOption(element, selectedValue, `${type} ${input.actionId}`);
      const action = {
        type,
        action_id: element.action_id,
        block_id: found.blockId,
        selected_option: option,
        ...(element.placeholder === undefined ? {} : { placeholder: element.placeholder }),
        action_ts: actionTs(now),
      };
      const stateValues =
        type === "overflow"
          ? {}
          : { [found.blockId]: { [String(element.action_id)]: { type, selected_option: option } } };
      return sendAction(input.userId, found, action, stateValues, sendOptions);
    },

    async submitView(input, sendOptions) {
      const view = findOpenView(emulator, input);
      view.state = { values: buildViewStateValues(state, view, input.values) };
      const triggerId = emulator.issueTriggerId(input.userId);
      const payload = {
        type: "view_submission",
        team: { id: state.identity.teamId, domain: state.identity.teamDomain },
        user: userRef(state, input.userId),
        api_app_id: state.identity.appId,
        token: ctx.verificationToken,
        trigger_id: triggerId,
        view: viewJson(view, state.identity),
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      const submitted = structuredClone(view);
      const response = await sendPayload(payload, sendOptions);
      const responseActionError = applyResponseAction(emulator, view, response);
      return {
        ...response,
        triggerId,
        submitted,
        stack: emulator.views(input.userId),
        ...(responseActionError === undefined ? {} : { responseActionError }),
      };
    },

    async closeView(input, sendOptions) {
      const view = findOpenView(emulator, input);
      state.closeViews(input.userId, view.clear_on_close);
      if (!view.notify_on_close) return undefined;
      return sendPayload(
        {
          type: "view_closed",
          team: { id: state.identity.teamId, domain: state.identity.teamDomain },
          user: userRef(state, input.userId),
          api_app_id: state.identity.appId,
          token: ctx.verificationToken,
          view: viewJson(view, state.identity),
          is_cleared: view.clear_on_close,
          is_enterprise_install: false,
          enterprise: null,
        },
        sendOptions,
      );
    },

    async sendEvent(event, sendOptions) {
      const eventTime = Math.floor(now().getTime() / 1000);
      const envelope = {
        token: ctx.verificationToken,
        team_id: state.identity.teamId,
        api_app_id: state.identity.appId,
        event: { event_ts: actionTs(now), ...event },
        type: "event_callback",
        event_id: state.ids.id("Ev"),
        event_time: eventTime,
        authorizations: [
          {
            enterprise_id: null,
            team_id: state.identity.teamId,
            user_id: state.identity.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
      };
      return send(JSON.stringify(envelope), "application/json", sendOptions);
    },
  };

  /** What Slack does with a non-empty acknowledgement of a slash command: shows it. */
  function showAcknowledgement(
    input: { userId: string; channelId: string },
    response: InboundResponse,
  ): { ackMessage?: EmulatedMessage; ackError?: string } {
    if (response.status !== 200 || response.body.trim() === "") return {};
    const reply = isRecord(response.json) ? response.json : { text: response.body };
    try {
      const content = readMessageContent(reply, { requireSomething: true });
      const inChannel = reply.response_type === "in_channel";
      const ackMessage = state.postMessage({
        channel: input.channelId,
        user: state.identity.botUserId,
        bot_id: state.identity.botId,
        text: content.text ?? "",
        ...(inChannel ? {} : { ephemeral_for: input.userId }),
        ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
      });
      return { ackMessage };
    } catch (err) {
      const body = slackErrorBody(err);
      if (body) return { ackError: String(body.error) };
      throw err;
    }
  }
}

function findOpenView(
  emulator: SlackEmulator,
  input: { userId: string; viewId?: string; callbackId?: string },
) {
  const stack = emulator.views(input.userId);
  const view =
    input.viewId !== undefined
      ? stack.find((v) => v.id === input.viewId)
      : input.callbackId !== undefined
        ? stack.findLast((v) => v.callback_id === input.callbackId)
        : stack.at(-1);
  if (!view) {
    const open = stack.map((v) => `${v.id} (${v.callback_id})`).join(", ") || "none";
    throw new FirebreakError(
      "not_found",
      `${input.userId} has no open view ${input.viewId ?? input.callbackId ?? ""}; open views: ${open}.`,
    );
  }
  return view;
}

/**
 * Slack's handling of the answer to a view_submission: no body closes the view,
 * `response_action` clears, updates, pushes or shows errors. Returns why it could not.
 */
function applyResponseAction(emulator: SlackEmulator, view: EmulatedView, response: InboundResponse) {
  const { state } = emulator;
  if (response.status !== 200) return undefined;
  const answer = isRecord(response.json) ? response.json : {};
  const action = answer.response_action;
  if (action === undefined || action === "clear") {
    state.closeViews(view.user, action === "clear");
    return undefined;
  }
  if (action === "errors") {
    if (!isRecord(answer.errors)) return "invalid_arguments";
    view.errors = Object.fromEntries(Object.entries(answer.errors).map(([k, v]) => [k, String(v)]));
    emulator.emit("view", view);
    return undefined;
  }
  if (action === "update" || action === "push") {
    if (!isRecord(answer.view) || viewIssues(answer.view).length > 0) return "invalid_arguments";
    if (action === "update") state.replaceView(view, answer.view);
    else state.openView(view.user, answer.view, true);
    return undefined;
  }
  return "invalid_arguments";
}
