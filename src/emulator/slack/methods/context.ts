import type { MethodArgs } from "../args.js";
import { slackError } from "../args.js";
import type { WorkspaceState } from "../state.js";
import type { EmulatedChannel } from "../types.js";

/** What a Web API method gets to work with. */
export interface MethodContext {
  state: WorkspaceState;
  args: MethodArgs;
  /** The user the token acts as: the bot user. */
  actor: string;
  /** The emulator's base URL, ending in "/" (for file and upload URLs). */
  baseUrl: string;
}

/** A method's successful answer (`ok: true` is added by the server). */
export type MethodResult = Record<string, unknown>;

export type MethodHandler = (ctx: MethodContext) => MethodResult;

/** A channel by id (C…/G…/D…), a `#name`, or a user id meaning the bot's DM with them. */
export function resolveChannel(
  ctx: MethodContext,
  ref: string | undefined,
  options: { userMeansDm?: boolean } = {},
): EmulatedChannel {
  if (ref === undefined) throw slackError("channel_not_found");
  const { state } = ctx;
  const byId = state.channels.get(ref);
  if (byId) {
    // A private channel the bot is not in is invisible to it.
    if (byId.is_private && !byId.members.includes(ctx.actor)) throw slackError("channel_not_found");
    return byId;
  }
  if (options.userMeansDm === true && /^[UW]/.test(ref) && state.users.has(ref)) {
    return state.openDm(ref).channel;
  }
  const byName = state.channelByName(ref);
  if (byName && (!byName.is_private || byName.members.includes(ctx.actor))) return byName;
  throw slackError("channel_not_found");
}

/** Slack refuses most channel methods when the bot is not a member. */
export function requireMember(ctx: MethodContext, channel: EmulatedChannel): void {
  if (!channel.members.includes(ctx.actor)) throw slackError("not_in_channel");
}

export function requireNotArchived(channel: EmulatedChannel): void {
  if (channel.is_archived) throw slackError("is_archived");
}
