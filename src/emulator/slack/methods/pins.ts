import { optionalString, slackError } from "../args.js";
import { messageJson } from "../serialize.js";
import { permalink } from "./chat.js";
import type { MethodContext, MethodHandler } from "./context.js";
import { requireMember, resolveChannel } from "./context.js";

function pinnedTarget(ctx: MethodContext) {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  requireMember(ctx, channel);
  const ts = optionalString(ctx.args, "timestamp");
  if (ts === undefined) throw slackError("no_item_specified");
  const message = ctx.state.findMessage(channel.id, ts);
  if (!message || message.ephemeral_for !== undefined) throw slackError("message_not_found");
  return { channel, message };
}

const add: MethodHandler = (ctx) => {
  const { channel, message } = pinnedTarget(ctx);
  if (channel.pins.some((p) => p.ts === message.ts)) throw slackError("already_pinned");
  channel.pins.push({ ts: message.ts, created: ctx.state.ids.unix(), created_by: ctx.actor });
  return {};
};

const remove: MethodHandler = (ctx) => {
  const { channel, message } = pinnedTarget(ctx);
  if (!channel.pins.some((p) => p.ts === message.ts)) throw slackError("no_pin");
  channel.pins = channel.pins.filter((p) => p.ts !== message.ts);
  return {};
};

/** Pinned messages, most recently pinned first. */
const list: MethodHandler = (ctx) => {
  const channel = resolveChannel(ctx, optionalString(ctx.args, "channel"));
  const items = [...channel.pins].reverse().flatMap((pin) => {
    const message = ctx.state.findMessage(channel.id, pin.ts);
    if (!message) return [];
    return [
      {
        type: "message",
        created: pin.created,
        created_by: pin.created_by,
        channel: channel.id,
        message: {
          ...messageJson(message, ctx.state.identity),
          permalink: permalink(ctx.state, message),
          pinned_to: [channel.id],
        },
      },
    ];
  });
  return { items };
};

/** The pins.* family. */
export const pinMethods: Record<string, MethodHandler> = {
  "pins.add": add,
  "pins.remove": remove,
  "pins.list": list,
};
