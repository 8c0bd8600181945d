import { optionalJson, optionalString, requiredString, slackError } from "../args.js";
import { messageJson } from "../serialize.js";
import type { WorkspaceState } from "../state.js";
import type { EmulatedMessage } from "../types.js";
import type { MethodContext, MethodHandler } from "./context.js";
import { requireMember, requireNotArchived, resolveChannel } from "./context.js";
import { readMessageContent } from "./message-content.js";

const postMessage: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"), { userMeansDm: true });
  if (!channel.is_im) requireMember(ctx, channel);
  requireNotArchived(channel);
  const content = readMessageContent(ctx.args, { requireSomething: true });
  const threadTs = optionalString(ctx.args, "thread_ts");
  const metadata = optionalJson(ctx.args, "metadata", "invalid_metadata_format");
  const message = ctx.state.postMessage({
    channel: channel.id,
    user: ctx.actor,
    bot_id: ctx.state.identity.botId,
    text: content.text ?? "",
    ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
    ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    ...(metadata === undefined ? {} : { metadata }),
  });
  return { channel: channel.id, ts: message.ts, message: messageJson(message, ctx.state.identity) };
};

/** The bot's own, non-ephemeral message; Slack lets an app edit or delete only those. */
function ownMessage(ctx: MethodContext, channelId: string, ts: string | undefined, refusal: string) {
  if (ts === undefined) throw slackError("message_not_found");
  const message = ctx.state.findMessage(channelId, ts);
  if (!message || message.ephemeral_for !== undefined) throw slackError("message_not_found");
  if (message.user !== ctx.actor) throw slackError(refusal);
  return message;
}

const update: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  const message = ownMessage(ctx, channel.id, optionalString(ctx.args, "ts"), "cant_update_message");
  const content = readMessageContent(ctx.args, { requireSomething: false });
  if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
    throw slackError("no_text");
  }
  // Omitted blocks are kept, as Slack does; an empty array removes them.
  ctx.state.updateMessage(
    message,
    {
      text: content.text ?? (content.blocks !== undefined ? "" : message.text),
      ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
      ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
    },
    ctx.actor,
  );
  return {
    channel: channel.id,
    ts: message.ts,
    text: message.text,
    message: messageJson(message, ctx.state.identity),
  };
};

const postEphemeral: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"), { userMeansDm: true });
  const user = requiredString(ctx.args, "user", "user_not_found");
  if (!ctx.state.users.has(user)) throw slackError("user_not_found");
  if (!channel.is_im) requireMember(ctx, channel);
  if (!channel.members.includes(user)) throw slackError("user_not_in_channel");
  requireNotArchived(channel);
  const content = readMessageContent(ctx.args, { requireSomething: true });
  const threadTs = optionalString(ctx.args, "thread_ts");
  const message = ctx.state.postMessage({
    channel: channel.id,
    user: ctx.actor,
    bot_id: ctx.state.identity.botId,
    text: content.text ?? "",
    ephemeral_for: user,
    ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
    ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
  });
  return { message_ts: message.ts };
};

const getPermalink: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  const ts = optionalString(ctx.args, "message_ts");
  const message = ts === undefined ? undefined : ctx.state.findMessage(channel.id, ts);
  if (!message || message.ephemeral_for !== undefined) throw slackError("message_not_found");
  return { channel: channel.id, permalink: permalink(ctx.state, message) };
};

const deleteMessage: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  const message = ownMessage(ctx, channel.id, optionalString(ctx.args, "ts"), "cant_delete_message");
  ctx.state.deleteMessage(message);
  return { channel: channel.id, ts: message.ts };
};

/** A message's permalink as Slack writes it (`/archives/C…/p1700000000000100`). */
export function permalink(state: WorkspaceState, message: EmulatedMessage): string {
  const base = `https://${state.identity.teamDomain}.slack.com/archives/${message.channel}/p${message.ts.replace(".", "")}`;
  return message.thread_ts !== undefined && message.thread_ts !== message.ts
    ? `${base}?thread_ts=${message.thread_ts}&cid=${message.channel}`
    : base;
}

/** The chat.* family. */
export const chatMethods: Record<string, MethodHandler> = {
  "chat.postMessage": postMessage,
  "chat.update": update,
  "chat.postEphemeral": postEphemeral,
  "chat.getPermalink": getPermalink,
  "chat.delete": deleteMessage,
};
