import { optionalBoolean, optionalString, slackErrorBody } from "./args.js";
import { readMessageContent } from "./methods/message-content.js";
import type { ResponseTarget, WorkspaceState } from "./state.js";

/** Slack honours a response_url five times within thirty minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;

/** An HTTP answer the server writes as JSON. */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Applies a POST to a response_url: a new ephemeral (default) or in-channel message,
 * or, with `replace_original` / `delete_original`, a change to the message it came from.
 */
export function applyResponseUrlPost(
  state: WorkspaceState,
  target: ResponseTarget | undefined,
  payload: Record<string, unknown>,
): HttpAnswer {
  if (!target) return { status: 404, body: { ok: false, error: "expired_url" } };
  if (state.now().getTime() - target.issuedAtMs > RESPONSE_URL_LIFETIME_MS) {
    return { status: 404, body: { ok: false, error: "expired_url" } };
  }
  if (target.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: "used_url" } };
  target.uses += 1;
  const original =
    target.messageTs === undefined
      ? undefined
      : state.findMessage(
          target.channelId,
          target.messageTs,
          target.messageIsEphemeral ? target.userId : undefined,
        );
  if (optionalBoolean(payload, "delete_original") === true) {
    if (!original) return { status: 404, body: { ok: false, error: "message_not_found" } };
    state.deleteMessage(original);
    return { status: 200, body: { ok: true } };
  }
  let content;
  try {
    content = readMessageContent(payload, { requireSomething: true });
  } catch (err) {
    const body = slackErrorBody(err);
    if (body) return { status: 400, body };
    throw err;
  }
  if (optionalBoolean(payload, "replace_original") === true && original) {
    state.updateMessage(
      original,
      {
        text: content.text ?? "",
        blocks: content.blocks ?? [],
        ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
      },
      state.identity.botUserId,
    );
    return { status: 200, body: { ok: true } };
  }
  const inChannel = optionalString(payload, "response_type") === "in_channel";
  const threadTs = optionalString(payload, "thread_ts");
  state.postMessage({
    channel: target.channelId,
    user: state.identity.botUserId,
    bot_id: state.identity.botId,
    text: content.text ?? "",
    ...(inChannel ? {} : { ephemeral_for: target.userId }),
    ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
    ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
  });
  return { status: 200, body: { ok: true } };
}
