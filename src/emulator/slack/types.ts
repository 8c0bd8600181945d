/**
 * The emulated workspace's state: plain data, readable by tests and by the local-mode
 * console. Field names follow Slack's own JSON where one exists.
 */

/** A workspace member (human or bot). */
export interface EmulatedUser {
  id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
  email?: string;
  tz?: string;
  deleted?: boolean;
}

/** A user group (`@oncall`), addressed by its `S…` id. */
export interface EmulatedUsergroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

/** A topic or purpose as Slack reports it. */
export interface EmulatedChannelText {
  value: string;
  creator: string;
  last_set: number;
}

/** A public channel (`C…`) or a direct message with one user (`D…`). */
export interface EmulatedChannel {
  id: string;
  name: string;
  created: number;
  creator: string;
  is_im: boolean;
  is_private: boolean;
  is_archived: boolean;
  /** For a DM: the other party. */
  user?: string;
  topic: EmulatedChannelText;
  purpose: EmulatedChannelText;
  members: string[];
  /** Timestamps of pinned messages, most recently pinned last. */
  pins: EmulatedPin[];
}

/** A pinned message. */
export interface EmulatedPin {
  ts: string;
  created: number;
  created_by: string;
}

/** An earlier version of a message, kept when `chat.update` replaced it. */
export interface EmulatedEdit {
  text: string;
  blocks: unknown[] | undefined;
  /** When the replacement happened (the new version's `edited.ts`). */
  replaced_at: string;
}

/** A message in a channel; ephemeral messages carry the one user who sees them. */
export interface EmulatedMessage {
  channel: string;
  ts: string;
  /** Author: a user id, or the bot user for bot messages. */
  user: string;
  /** Set when a bot (the app) posted it. */
  bot_id?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  reply_count?: number;
  /** Set when only that user sees the message (postEphemeral, response_url). */
  ephemeral_for?: string;
  files?: EmulatedFileRef[];
  edited?: { user: string; ts: string };
  /** Earlier versions, oldest first. */
  history: EmulatedEdit[];
  /** Set once the message was deleted (it is then gone from the channel). */
  deleted?: boolean;
  /** Message metadata (`event_type`, `event_payload`) as posted. */
  metadata?: unknown;
}

/** How a message refers to a shared file. */
export interface EmulatedFileRef {
  id: string;
  name: string;
  title: string;
}

/** A file uploaded through files.getUploadURLExternal + completeUploadExternal. */
export interface EmulatedFile {
  id: string;
  name: string;
  title: string;
  length: number;
  created: number;
  user: string;
  /** The bytes, once POSTed to the upload URL. */
  content?: Buffer;
  alt_text?: string;
  snippet_type?: string;
  /** Channels it was shared into. */
  channels: string[];
  completed: boolean;
}

/** A modal as the app defined it, plus what Slack adds (id, hash, state). */
export interface EmulatedView {
  id: string;
  /** The user who sees the modal. */
  user: string;
  type: string;
  callback_id: string;
  external_id: string;
  private_metadata: string;
  title: unknown;
  submit: unknown;
  close: unknown;
  blocks: unknown[];
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  notify_on_close: boolean;
  clear_on_close: boolean;
  state: { values: Record<string, Record<string, unknown>> };
  /** Errors from the last `response_action: "errors"`, by block id. */
  errors?: Record<string, string>;
}

/** One request the emulator answered. */
export interface RecordedCall {
  /** A Web API method, or `response_url` / `upload_url` for those endpoints. */
  method: string;
  /** Arguments with JSON fields (blocks, view, files…) decoded; the token removed. */
  args: Record<string, unknown>;
  at: Date;
  response: unknown;
  status: number;
}

/** What `failNext` makes a method do: answer an error, a 429, or an HTTP failure (an outage). */
export type InjectedFault = { error: string } | { rateLimitSeconds: number } | { httpStatus: number };

/** Something the emulator recorded, as `waitFor` sees it. */
export type EmulatorEvent =
  | { type: "call"; call: RecordedCall }
  | { type: "message"; message: EmulatedMessage }
  | { type: "view"; view: EmulatedView };

/**
 * Events emitted by the emulator: `call` after each answered request, `message` when a
 * message is posted, edited or deleted (the same object, changed), `view` when a modal
 * is opened, updated or shows errors.
 */
export interface EmulatorEventMap {
  call: [RecordedCall];
  message: [EmulatedMessage];
  view: [EmulatedView];
}
