import type { ClaimedCall } from "../../store/outbox/outbox-calls.js";
import type { SlackTransport } from "../transport.js";

/** The metadata every outbox message carries, so that a message can be found after a crash. */
export const OUTBOX_EVENT_TYPE = "firebreak_outbox";

export function outboxMetadata(id: number): { event_type: string; event_payload: { outbox_id: string } } {
  return { event_type: OUTBOX_EVENT_TYPE, event_payload: { outbox_id: String(id) } };
}

/**
 * What became of a call whose sender stopped between making it and recording it:
 * - `delivered`: Slack has it (the result is what the call would have answered);
 * - `resend`: Slack does not have it, or the call is safe to make twice;
 * - `abandon`: it cannot be known and must not be made twice.
 */
export type RecoveryVerdict =
  | { kind: "delivered"; result: Record<string, unknown> }
  | { kind: "resend" }
  | { kind: "abandon"; error: string };

const MAX_PAGES = 10;
type Page = { response_metadata?: { next_cursor?: string } };

async function* pages<T extends Page>(
  transport: SlackTransport,
  method: string,
  args: Record<string, unknown>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const res = (await transport.call(method, { ...args, ...(cursor ? { cursor } : {}) })) as T;
    yield res;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return;
  }
}

type Message = { ts?: string; metadata?: { event_type?: string; event_payload?: { outbox_id?: unknown } } };

/** Finds the message an outbox call posted, by its metadata, in its channel or thread. */
async function findPosted(transport: SlackTransport, call: ClaimedCall): Promise<RecoveryVerdict> {
  let channel = typeof call.args.channel === "string" ? call.args.channel : "";
  if (/^[UW]/.test(channel)) {
    // A DM posted to a user id: the conversation's id is what history takes.
    const open = await transport.call("conversations.open", { users: channel });
    channel = String((open.channel as { id?: string } | undefined)?.id ?? channel);
  }
  const thread = typeof call.args.thread_ts === "string" ? call.args.thread_ts : undefined;
  const oldest = ((call.claimedAt.getTime() - 60_000) / 1000).toFixed(6);
  const method = thread ? "conversations.replies" : "conversations.history";
  const args = thread
    ? { channel, ts: thread, include_all_metadata: true, limit: 200 }
    : { channel, oldest, include_all_metadata: true, limit: 200 };
  for await (const page of pages<Page & { messages?: Message[] }>(transport, method, args)) {
    const found = page.messages?.find(
      (m) =>
        m.metadata?.event_type === OUTBOX_EVENT_TYPE &&
        String(m.metadata.event_payload?.outbox_id) === String(call.id),
    );
    if (found?.ts) return { kind: "delivered", result: { ok: true, channel, ts: found.ts } };
  }
  return { kind: "resend" };
}

/**
 * Asks Slack whether an orphaned call happened. Messages are found by their metadata, a
 * channel by its name, a pin in the pin list, a topic or purpose on the channel; an
 * ephemeral reply or a modal cannot be looked up and is not made twice; anything else is
 * idempotent (`chat.update` renders the latest state) or answered by Slack as done already
 * (`already_in_channel`), and is made again.
 */
export async function checkDelivered(transport: SlackTransport, call: ClaimedCall): Promise<RecoveryVerdict> {
  switch (call.method) {
    case "chat.postMessage":
      return findPosted(transport, call);
    case "conversations.create": {
      const name = typeof call.args.name === "string" ? call.args.name : "";
      const types = call.args.is_private ? "private_channel" : "public_channel";
      type ChannelPage = Page & { channels?: { id: string; name: string }[] };
      const args = { types, exclude_archived: true, limit: 1000 };
      for await (const page of pages<ChannelPage>(transport, "conversations.list", args)) {
        const found = page.channels?.find((c) => c.name === name);
        if (found) return { kind: "delivered", result: { ok: true, channel: { id: found.id, name } } };
      }
      return { kind: "resend" };
    }
    case "pins.add": {
      const res = await transport.call("pins.list", { channel: call.args.channel });
      const items = (res.items ?? []) as { message?: { ts?: string } }[];
      return items.some((i) => i.message?.ts === call.args.timestamp)
        ? { kind: "delivered", result: { ok: true } }
        : { kind: "resend" };
    }
    case "conversations.setTopic":
    case "conversations.setPurpose": {
      const field = call.method === "conversations.setTopic" ? "topic" : "purpose";
      const res = await transport.call("conversations.info", { channel: call.args.channel });
      const value = (res.channel as Record<string, { value?: string } | undefined> | undefined)?.[field]
        ?.value;
      return value === call.args[field] ? { kind: "delivered", result: { ok: true } } : { kind: "resend" };
    }
    case "response_url":
    case "chat.postEphemeral":
    case "views.open":
    case "views.push":
      return {
        kind: "abandon",
        error:
          "not sent again: the process sending it stopped mid-call, and Slack cannot be asked whether an ephemeral reply or a modal arrived",
      };
    default:
      return { kind: "resend" };
  }
}
