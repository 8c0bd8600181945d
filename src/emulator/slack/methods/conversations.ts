import {
  optionalBoolean,
  optionalString,
  paginate,
  requiredString,
  slackError,
  stringList,
} from "../args.js";
import { channelNameError } from "../channel-names.js";
import { channelJson, messageJson } from "../serialize.js";
import type { EmulatedChannel } from "../types.js";
import type { MethodContext, MethodHandler, MethodResult } from "./context.js";
import { requireMember, requireNotArchived, resolveChannel } from "./context.js";

const MAX_TOPIC = 250;

function channelResult(ctx: MethodContext, channel: EmulatedChannel): MethodResult {
  return { channel: channelJson(channel, ctx.state, ctx.actor) };
}

const create: MethodHandler = (ctx) => {
  const name = optionalString(ctx.args, "name");
  const invalid = channelNameError(name);
  if (invalid !== undefined || name === undefined) throw slackError(invalid ?? "invalid_name_required");
  if (ctx.state.channelByName(name)) throw slackError("name_taken");
  const channel = ctx.state.createChannel({
    name,
    creator: ctx.actor,
    isPrivate: optionalBoolean(ctx.args, "is_private") === true,
  });
  return channelResult(ctx, channel);
};

const invite: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  if (channel.is_im) throw slackError("method_not_supported_for_channel_type");
  requireMember(ctx, channel);
  requireNotArchived(channel);
  const users = stringList(ctx.args, "users");
  if (users.length === 0) throw slackError("no_user");
  const failures: { user: string; ok: false; error: string }[] = [];
  for (const user of users) {
    const error =
      user === ctx.actor
        ? "cant_invite_self"
        : !ctx.state.users.has(user) || ctx.state.users.get(user)?.deleted === true
          ? "user_not_found"
          : channel.members.includes(user)
            ? "already_in_channel"
            : undefined;
    if (error !== undefined) failures.push({ user, ok: false, error });
  }
  const first = failures[0];
  // Slack invites nobody when one of the users fails, unless `force` is set.
  if (first && optionalBoolean(ctx.args, "force") !== true)
    throw slackError(first.error, { errors: failures });
  const failed = new Set(failures.map((f) => f.user));
  for (const user of users)
    if (!failed.has(user) && !channel.members.includes(user)) channel.members.push(user);
  return { ...channelResult(ctx, channel), ...(failures.length > 0 ? { errors: failures } : {}) };
};

const kick: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  requireMember(ctx, channel);
  const user = requiredString(ctx.args, "user", "user_not_found");
  if (user === ctx.actor) throw slackError("cant_kick_self");
  if (!ctx.state.users.has(user)) throw slackError("user_not_found");
  if (!channel.members.includes(user)) throw slackError("not_in_channel");
  channel.members = channel.members.filter((m) => m !== user);
  return {};
};

function setText(field: "topic" | "purpose"): MethodHandler {
  return (ctx) => {
    const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
    requireMember(ctx, channel);
    requireNotArchived(channel);
    const value = optionalString(ctx.args, field) ?? "";
    if (field === "topic" && value.length > MAX_TOPIC) throw slackError("too_long");
    channel[field] = { value, creator: ctx.actor, last_set: ctx.state.ids.unix() };
    return channelResult(ctx, channel);
  };
}

const info: MethodHandler = (ctx) =>
  channelResult(ctx, resolveChannel(ctx, optionalString(ctx.args, "channel")));

const join: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  if (channel.is_im) throw slackError("method_not_supported_for_channel_type");
  requireNotArchived(channel);
  if (channel.members.includes(ctx.actor)) {
    return {
      ...channelResult(ctx, channel),
      warning: "already_in_channel",
      response_metadata: { warnings: ["already_in_channel"] },
    };
  }
  channel.members.push(ctx.actor);
  return channelResult(ctx, channel);
};

const leave: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  if (channel.is_im) throw slackError("method_not_supported_for_channel_type");
  if (!channel.members.includes(ctx.actor)) return { not_in_channel: true };
  channel.members = channel.members.filter((m) => m !== ctx.actor);
  return {};
};

const archive: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  if (channel.is_im) throw slackError("method_not_supported_for_channel_type");
  requireMember(ctx, channel);
  if (channel.is_archived) throw slackError("already_archived");
  channel.is_archived = true;
  return {};
};

const members: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  const { page, nextCursor } = paginate(channel.members, ctx.args, 100);
  return { members: page, response_metadata: { next_cursor: nextCursor } };
};

function withoutMetadataUnless<T extends { metadata?: unknown }>(keep: boolean, message: T): T {
  if (keep) return message;
  const { metadata: _metadata, ...rest } = message;
  return rest as T;
}

/** Top-level messages (thread replies excluded) newest first, within latest/oldest. */
const history: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  requireMember(ctx, channel);
  const inclusive = optionalBoolean(ctx.args, "inclusive") === true;
  const latest = optionalString(ctx.args, "latest");
  const oldest = optionalString(ctx.args, "oldest");
  const inRange = (ts: string) =>
    (latest === undefined || (inclusive ? Number(ts) <= Number(latest) : Number(ts) < Number(latest))) &&
    (oldest === undefined || (inclusive ? Number(ts) >= Number(oldest) : Number(ts) > Number(oldest)));
  const visible = ctx.state
    .allMessages(channel.id)
    .filter((m) => m.ephemeral_for === undefined && (m.thread_ts === undefined || m.thread_ts === m.ts))
    .filter((m) => inRange(m.ts))
    .reverse();
  const { page, nextCursor } = paginate(visible, ctx.args, 100);
  // Slack returns message metadata only to a caller that asks for it.
  const withMetadata = optionalBoolean(ctx.args, "include_all_metadata") === true;
  return {
    messages: page.map((m) => withoutMetadataUnless(withMetadata, messageJson(m, ctx.state.identity))),
    has_more: nextCursor !== "",
    pin_count: channel.pins.length,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: nextCursor },
  };
};

const replies: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  requireMember(ctx, channel);
  const ts = requiredString(ctx.args, "ts", "thread_not_found");
  const all = ctx.state.allMessages(channel.id).filter((m) => m.ephemeral_for === undefined);
  const parent = all.find((m) => m.ts === ts);
  if (!parent) throw slackError("thread_not_found");
  const thread = [parent, ...all.filter((m) => m.thread_ts === ts && m.ts !== ts)];
  const { page, nextCursor } = paginate(thread, ctx.args, 1000);
  const withMetadata = optionalBoolean(ctx.args, "include_all_metadata") === true;
  return {
    messages: page.map((m) => withoutMetadataUnless(withMetadata, messageJson(m, ctx.state.identity))),
    has_more: nextCursor !== "",
    response_metadata: { next_cursor: nextCursor },
  };
};

const list: MethodHandler = (ctx) => {
  const types = new Set(stringList(ctx.args, "types"));
  if (types.size === 0) types.add("public_channel");
  const excludeArchived = optionalBoolean(ctx.args, "exclude_archived") === true;
  const channels = [...ctx.state.channels.values()].filter((c) => {
    if (excludeArchived && c.is_archived) return false;
    if (c.is_im) return types.has("im");
    if (c.is_private) return types.has("private_channel") && c.members.includes(ctx.actor);
    return types.has("public_channel");
  });
  const { page, nextCursor } = paginate(channels, ctx.args, 100);
  return {
    channels: page.map((c) => channelJson(c, ctx.state, ctx.actor)),
    response_metadata: { next_cursor: nextCursor },
  };
};

const open: MethodHandler = (ctx) => {
  const channelArg = optionalString(ctx.args, "channel");
  const users = stringList(ctx.args, "users");
  let userId: string;
  if (channelArg !== undefined) {
    const existing = ctx.state.channels.get(channelArg);
    if (!existing?.is_im || existing.user === undefined) throw slackError("channel_not_found");
    userId = existing.user;
  } else {
    if (users.length === 0) throw slackError("users_list_not_supplied");
    if (users.length > 1) throw slackError("method_not_supported_for_channel_type");
    userId = users[0] ?? "";
  }
  if (!ctx.state.users.has(userId)) throw slackError("user_not_found");
  if (userId === ctx.actor) throw slackError("cannot_dm_bot");
  const { channel, created } = ctx.state.openDm(userId);
  const body =
    optionalBoolean(ctx.args, "return_im") === true
      ? channelJson(channel, ctx.state, ctx.actor)
      : { id: channel.id };
  return created ? { channel: body } : { no_op: true, already_open: true, channel: body };
};

/** The conversations.* family. */
export const conversationMethods: Record<string, MethodHandler> = {
  "conversations.create": create,
  "conversations.invite": invite,
  "conversations.kick": kick,
  "conversations.setTopic": setText("topic"),
  "conversations.setPurpose": setText("purpose"),
  "conversations.info": info,
  "conversations.join": join,
  "conversations.leave": leave,
  "conversations.archive": archive,
  "conversations.members": members,
  "conversations.history": history,
  "conversations.replies": replies,
  "conversations.list": list,
  "conversations.open": open,
};
