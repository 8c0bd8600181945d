import { FirebreakError } from "../../core/errors.js";
import { isRecord } from "./args.js";
import { formatTs } from "./ids.js";
import { messageJson } from "./serialize.js";
import type { WorkspaceState } from "./state.js";
import type { EmulatedMessage, EmulatedUser } from "./types.js";

/** The fields every inbound request shares: the (legacy) verification token and the clock. */
export interface InboundContext {
  state: WorkspaceState;
  verificationToken: string;
  /** The sender's clock, for action_ts. */
  now: () => Date;
}

/** An interactive element found in a stored message. */
export interface FoundElement {
  message: EmulatedMessage;
  blockId: string;
  element: Record<string, unknown>;
}

export function requireUser(state: WorkspaceState, userId: string): EmulatedUser {
  const user = state.users.get(userId);
  if (!user) throw new FirebreakError("not_found", `The emulator has no user ${userId}.`);
  return user;
}

/** `user` as interaction payloads carry it. */
export function userRef(state: WorkspaceState, userId: string) {
  const user = requireUser(state, userId);
  return { id: user.id, username: user.name, name: user.name, team_id: state.identity.teamId };
}

/** The channel name Slack puts in payloads ("directmessage" for a DM). */
export function channelName(state: WorkspaceState, channelId: string): string {
  const channel = state.channels.get(channelId);
  if (!channel) throw new FirebreakError("not_found", `The emulator has no channel ${channelId}.`);
  return channel.is_im ? "directmessage" : channel.name;
}

/** Interactive elements of a block list, each with the block it sits in. */
export function interactiveElements(
  blocks: readonly unknown[],
): { blockId: string; element: Record<string, unknown> }[] {
  const found: { blockId: string; element: Record<string, unknown> }[] = [];
  for (const block of blocks) {
    if (!isRecord(block) || typeof block.block_id !== "string") continue;
    const candidates = [
      ...(block.type === "actions" && Array.isArray(block.elements) ? (block.elements as unknown[]) : []),
      block.accessory,
      block.element,
    ];
    for (const element of candidates) {
      if (isRecord(element) && typeof element.action_id === "string")
        found.push({ blockId: block.block_id, element });
    }
  }
  return found;
}

/**
 * The element a user interacts with, looked up on the stored message the way a click
 * would find it; throws, naming what the message does offer, when there is none.
 */
export function findMessageElement(
  state: WorkspaceState,
  input: {
    channelId: string;
    messageTs: string;
    userId: string;
    actionId: string;
    blockId?: string;
    types: readonly string[];
    value?: string;
  },
): FoundElement {
  const message = state.findMessage(input.channelId, input.messageTs, input.userId);
  if (!message) {
    throw new FirebreakError(
      "not_found",
      `No message ${input.messageTs} visible to ${input.userId} in channel ${input.channelId}.`,
    );
  }
  const all = interactiveElements(message.blocks ?? []);
  const match = all.find(
    ({ blockId, element }) =>
      element.action_id === input.actionId &&
      (input.blockId === undefined || blockId === input.blockId) &&
      input.types.includes(String(element.type)) &&
      (input.value === undefined || element.value === input.value),
  );
  if (!match) {
    const offered = all.map(
      ({ blockId, element }) => `${String(element.type)} ${String(element.action_id)} in ${blockId}`,
    );
    throw new FirebreakError(
      "not_found",
      `Message ${message.ts} in ${input.channelId} has no ${input.types.join("/")} with action_id ` +
        `${input.actionId}${input.value === undefined ? "" : ` and value ${input.value}`}; ` +
        `it offers: ${offered.join("; ") || "no interactive elements"}.`,
    );
  }
  return { message, ...match };
}

/** Every option of a select, overflow, radio or checkbox element, groups flattened. */
export function elementOptions(element: Record<string, unknown>): Record<string, unknown>[] {
  const direct = Array.isArray(element.options) ? (element.options as unknown[]) : [];
  const grouped = Array.isArray(element.option_groups)
    ? (element.option_groups as unknown[]).flatMap((g) =>
        isRecord(g) && Array.isArray(g.options) ? (g.options as unknown[]) : [],
      )
    : [];
  return [...direct, ...grouped].filter(isRecord);
}

/** An option as Slack echoes it back: `{ text, value }`. */
export function findOption(
  element: Record<string, unknown>,
  value: string,
  where: string,
): Record<string, unknown> {
  const option = elementOptions(element).find((o) => o.value === value);
  if (!option) {
    const values = elementOptions(element).map((o) => String(o.value));
    throw new FirebreakError(
      "input_invalid",
      `${where} has no option ${value}; it offers: ${values.join(", ")}.`,
    );
  }
  return { text: option.text, value: option.value };
}

/** A ts for `action_ts` from the sender's clock. */
export function actionTs(now: () => Date): string {
  return formatTs(now().getTime() * 1000);
}

/**
 * A `block_actions` payload for an action on a message, as Slack builds it.
 * Slack leaves `message` out when the message is ephemeral.
 */
export function blockActionsPayload(
  ctx: InboundContext,
  input: {
    userId: string;
    found: FoundElement;
    action: Record<string, unknown>;
    triggerId: string;
    responseUrl: string;
    stateValues?: Record<string, Record<string, unknown>>;
  },
): Record<string, unknown> {
  const { state } = ctx;
  const { message } = input.found;
  const ephemeral = message.ephemeral_for !== undefined;
  return {
    type: "block_actions",
    user: userRef(state, input.userId),
    api_app_id: state.identity.appId,
    token: ctx.verificationToken,
    container: {
      type: "message",
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: ephemeral,
    },
    trigger_id: input.triggerId,
    team: { id: state.identity.teamId, domain: state.identity.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: channelName(state, message.channel) },
    ...(ephemeral ? {} : { message: messageJson(message, state.identity) }),
    state: { values: input.stateValues ?? {} },
    response_url: input.responseUrl,
    actions: [input.action],
  };
}

/** The form fields of a slash command, in the order Slack sends them. */
export function slashCommandFields(
  ctx: InboundContext,
  input: {
    command: string;
    text: string;
    userId: string;
    channelId: string;
    responseUrl: string;
    triggerId: string;
  },
): Record<string, string> {
  const { state } = ctx;
  return {
    token: ctx.verificationToken,
    team_id: state.identity.teamId,
    team_domain: state.identity.teamDomain,
    channel_id: input.channelId,
    channel_name: channelName(state, input.channelId),
    user_id: input.userId,
    user_name: requireUser(state, input.userId).name,
    command: input.command,
    text: input.text,
    api_app_id: state.identity.appId,
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}
