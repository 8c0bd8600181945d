import { randomBytes } from "node:crypto";
import type { EventEmitter } from "node:events";
import { IdSource, shortId, triggerIdFrom } from "./ids.js";
import type {
  EmulatedChannel,
  EmulatedFileRef,
  EmulatedFile,
  EmulatedMessage,
  EmulatedUser,
  EmulatedUsergroup,
  EmulatedView,
  EmulatorEventMap,
} from "./types.js";

/** Who the emulated workspace and its one installed app are. */
export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
}

/** A trigger id handed out with an interaction; Slack honours it for 3 seconds, once. */
export interface IssuedTrigger {
  userId: string;
  issuedAtMs: number;
  used: boolean;
}

/** Where a response_url posts to, and which message `replace_original` replaces. */
export interface ResponseTarget {
  channelId: string;
  userId: string;
  messageTs?: string;
  /** Whether that source message is an ephemeral one (shown only to userId). */
  messageIsEphemeral?: boolean;
  issuedAtMs: number;
  uses: number;
}

/** A message about to be stored; `ts` is assigned by the state. */
export interface NewMessage {
  channel: string;
  user: string;
  bot_id?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  ephemeral_for?: string;
  files?: EmulatedFileRef[];
  metadata?: unknown;
}

/**
 * Everything the emulated workspace holds, with the mutations the Web API methods,
 * the request sender and the local-mode console share.
 */
export class WorkspaceState {
  readonly users = new Map<string, EmulatedUser>();
  readonly usergroups = new Map<string, EmulatedUsergroup>();
  readonly channels = new Map<string, EmulatedChannel>();
  readonly files = new Map<string, EmulatedFile>();
  readonly views = new Map<string, EmulatedView>();
  readonly triggers = new Map<string, IssuedTrigger>();
  readonly responseTargets = new Map<string, ResponseTarget>();
  readonly ids: IdSource;
  private readonly messagesByChannel = new Map<string, EmulatedMessage[]>();
  private readonly viewStacks = new Map<string, string[]>();
  private seq = 0;

  constructor(
    readonly identity: WorkspaceIdentity,
    readonly now: () => Date,
    private readonly events: EventEmitter<EmulatorEventMap>,
  ) {
    this.ids = new IdSource(now);
  }

  addUser(user: EmulatedUser): EmulatedUser {
    const stored = { ...user };
    this.users.set(stored.id, stored);
    return stored;
  }

  addUsergroup(group: EmulatedUsergroup): EmulatedUsergroup {
    const stored = { ...group, users: [...group.users] };
    this.usergroups.set(stored.id, stored);
    return stored;
  }

  /** Creates a channel; the caller has validated the name. */
  createChannel(input: {
    name: string;
    creator: string;
    isPrivate?: boolean;
    id?: string;
    members?: string[];
  }): EmulatedChannel {
    const channel: EmulatedChannel = {
      // Slack gives private channels C… ids too (G… is legacy).
      id: input.id ?? this.ids.id("C"),
      name: input.name,
      created: this.ids.unix(),
      creator: input.creator,
      is_im: false,
      is_private: input.isPrivate ?? false,
      is_archived: false,
      topic: { value: "", creator: "", last_set: 0 },
      purpose: { value: "", creator: "", last_set: 0 },
      members: [...new Set(input.members ?? [input.creator])],
      pins: [],
    };
    this.channels.set(channel.id, channel);
    this.messagesByChannel.set(channel.id, []);
    return channel;
  }

  channelByName(name: string): EmulatedChannel | undefined {
    const wanted = name.replace(/^#/, "");
    for (const channel of this.channels.values()) {
      if (!channel.is_im && channel.name === wanted) return channel;
    }
    return undefined;
  }

  /** The bot's DM with a user, opened on first use. */
  openDm(userId: string): { channel: EmulatedChannel; created: boolean } {
    const existing = this.dm(userId);
    if (existing) return { channel: existing, created: false };
    const user = this.users.get(userId);
    const channel: EmulatedChannel = {
      id: this.ids.id("D"),
      name: user?.name ?? userId,
      created: this.ids.unix(),
      creator: this.identity.botUserId,
      is_im: true,
      is_private: true,
      is_archived: false,
      user: userId,
      topic: { value: "", creator: "", last_set: 0 },
      purpose: { value: "", creator: "", last_set: 0 },
      members: [this.identity.botUserId, userId],
      pins: [],
    };
    this.channels.set(channel.id, channel);
    this.messagesByChannel.set(channel.id, []);
    return { channel, created: true };
  }

  dm(userId: string): EmulatedChannel | undefined {
    for (const channel of this.channels.values()) {
      if (channel.is_im && channel.user === userId) return channel;
    }
    return undefined;
  }

  /** Every message of a channel, thread replies and ephemerals included, oldest first. */
  allMessages(channelId: string): EmulatedMessage[] {
    return this.messagesByChannel.get(channelId) ?? [];
  }

  findMessage(channelId: string, ts: string, ephemeralFor?: string): EmulatedMessage | undefined {
    return this.allMessages(channelId).find(
      (m) => m.ts === ts && (m.ephemeral_for === undefined || m.ephemeral_for === ephemeralFor),
    );
  }

  /** Stores a message, giving its blocks the ids Slack would, and announces it. */
  postMessage(input: NewMessage): EmulatedMessage {
    const ts = this.ids.ts();
    const message: EmulatedMessage = {
      ...input,
      ts,
      history: [],
      ...(input.blocks === undefined ? {} : { blocks: withGeneratedIds(input.blocks, ts) }),
    };
    const list = this.messagesByChannel.get(input.channel);
    if (!list) throw new Error(`no such channel ${input.channel}`);
    list.push(message);
    if (input.thread_ts !== undefined && input.ephemeral_for === undefined) {
      const parent = list.find((m) => m.ts === input.thread_ts && m.ephemeral_for === undefined);
      if (parent && parent !== message) {
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
      }
    }
    this.events.emit("message", message);
    return message;
  }

  /** Replaces a message's content, keeping the previous version in its history. */
  updateMessage(
    message: EmulatedMessage,
    changes: { text: string; blocks?: unknown[]; attachments?: unknown[] },
    editor: string,
  ): EmulatedMessage {
    const editTs = this.ids.ts();
    message.history.push({ text: message.text, blocks: message.blocks, replaced_at: editTs });
    message.text = changes.text;
    if (changes.blocks !== undefined) message.blocks = withGeneratedIds(changes.blocks, editTs);
    if (changes.attachments !== undefined) message.attachments = changes.attachments;
    message.edited = { user: editor, ts: editTs };
    this.events.emit("message", message);
    return message;
  }

  deleteMessage(message: EmulatedMessage): void {
    const list = this.messagesByChannel.get(message.channel);
    if (!list) return;
    const index = list.indexOf(message);
    if (index >= 0) list.splice(index, 1);
    message.deleted = true;
    const channel = this.channels.get(message.channel);
    if (channel) channel.pins = channel.pins.filter((p) => p.ts !== message.ts);
    this.events.emit("message", message);
  }

  /** The modals a user has open, bottom of the stack first. */
  viewStack(userId: string): EmulatedView[] {
    const ids = this.viewStacks.get(userId) ?? [];
    return ids.map((id) => this.views.get(id)).filter((v): v is EmulatedView => v !== undefined);
  }

  /** Opens a modal (`push: false` starts a new stack, as views.open does). */
  openView(userId: string, definition: Record<string, unknown>, push: boolean): EmulatedView {
    const stack = push ? (this.viewStacks.get(userId) ?? []) : [];
    if (!push) for (const id of this.viewStacks.get(userId) ?? []) this.views.delete(id);
    const id = this.ids.id("V");
    const previous = stack.at(-1) ?? null;
    const view = this.buildView(id, userId, definition, {
      root: stack[0] ?? id,
      previous,
    });
    stack.push(id);
    this.viewStacks.set(userId, stack);
    this.views.set(id, view);
    this.events.emit("view", view);
    return view;
  }

  /** Replaces a view's definition in place (views.update, response_action "update"). */
  replaceView(view: EmulatedView, definition: Record<string, unknown>): EmulatedView {
    const next = this.buildView(view.id, view.user, definition, {
      root: view.root_view_id,
      previous: view.previous_view_id,
    });
    this.views.set(view.id, next);
    this.events.emit("view", next);
    return next;
  }

  /** Closes the top view of a user's stack, or all of them. */
  closeViews(userId: string, all: boolean): void {
    const stack = this.viewStacks.get(userId) ?? [];
    const closing = all ? stack.splice(0) : stack.splice(-1);
    for (const id of closing) this.views.delete(id);
  }

  viewByExternalId(externalId: string): EmulatedView | undefined {
    for (const view of this.views.values()) if (view.external_id === externalId) return view;
    return undefined;
  }

  issueTrigger(userId: string): string {
    this.seq += 1;
    const nowMs = this.now().getTime();
    const id = triggerIdFrom(this.seq, nowMs);
    this.triggers.set(id, { userId, issuedAtMs: nowMs, used: false });
    return id;
  }

  issueResponseTarget(target: Omit<ResponseTarget, "uses" | "issuedAtMs">): string {
    this.seq += 1;
    const id = `${this.identity.teamId}/${this.seq}/${randomBytes(12).toString("hex")}`;
    this.responseTargets.set(id, { ...target, issuedAtMs: this.now().getTime(), uses: 0 });
    return id;
  }

  private buildView(
    id: string,
    userId: string,
    definition: Record<string, unknown>,
    links: { root: string; previous: string | null },
  ): EmulatedView {
    this.seq += 1;
    const hash = `${this.ids.unix()}.${shortId(`${id}:${this.seq}`)}`;
    const blocks = Array.isArray(definition.blocks) ? withGeneratedIds(definition.blocks, hash) : [];
    return {
      id,
      user: userId,
      type: typeof definition.type === "string" ? definition.type : "modal",
      callback_id: typeof definition.callback_id === "string" ? definition.callback_id : "",
      external_id: typeof definition.external_id === "string" ? definition.external_id : "",
      private_metadata: typeof definition.private_metadata === "string" ? definition.private_metadata : "",
      title: definition.title,
      submit: definition.submit ?? null,
      close: definition.close ?? null,
      blocks,
      hash,
      root_view_id: links.root,
      previous_view_id: links.previous,
      notify_on_close: definition.notify_on_close === true,
      clear_on_close: definition.clear_on_close === true,
      state: { values: {} },
    };
  }
}

const INTERACTIVE_HOLDERS = ["accessory", "element"] as const;

/**
 * Slack stores blocks with a `block_id` on every block and an `action_id` on every
 * interactive element, inventing one where the app gave none; interactions refer to them.
 */
export function withGeneratedIds(blocks: unknown[], seed: string): unknown[] {
  return blocks.map((raw, index) => {
    if (!isRecord(raw)) return raw;
    const block: Record<string, unknown> = structuredClone(raw);
    if (typeof block.block_id !== "string") block.block_id = shortId(`${seed}:${index}`);
    const elements: unknown[] =
      block.type === "actions" && Array.isArray(block.elements) ? [...(block.elements as unknown[])] : [];
    for (const key of INTERACTIVE_HOLDERS) if (block[key] !== undefined) elements.push(block[key]);
    elements.forEach((element, n) => {
      if (isRecord(element) && typeof element.action_id !== "string" && element.type !== "image") {
        element.action_id = shortId(`${seed}:${index}:${n}:action`);
      }
    });
    return block;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
