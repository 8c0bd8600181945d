import { isRecord, optionalInt, optionalJson, optionalString, slackError, stringList } from "../args.js";
import { fileJson } from "../serialize.js";
import type { WorkspaceState } from "../state.js";
import type { EmulatedChannel, EmulatedFile } from "../types.js";
import type { MethodHandler } from "./context.js";
import { requireMember, requireNotArchived, resolveChannel } from "./context.js";
import { readMessageContent } from "./message-content.js";

/** Path prefix of the upload URLs files.getUploadURLExternal hands out. */
export const UPLOAD_PATH = "upload/v1/";

const getUploadURLExternal: MethodHandler = (ctx) => {
  const filename = optionalString(ctx.args, "filename");
  const length = optionalInt(ctx.args, "length");
  if (filename === undefined || length === undefined || length < 0) throw slackError("invalid_arguments");
  const file: EmulatedFile = {
    id: ctx.state.ids.id("F"),
    name: filename,
    title: filename,
    length,
    created: ctx.state.ids.unix(),
    user: ctx.actor,
    channels: [],
    completed: false,
    ...(optionalString(ctx.args, "alt_text") === undefined
      ? {}
      : { alt_text: optionalString(ctx.args, "alt_text") }),
    ...(optionalString(ctx.args, "snippet_type") === undefined
      ? {}
      : { snippet_type: optionalString(ctx.args, "snippet_type") }),
  };
  ctx.state.files.set(file.id, file);
  return { upload_url: `${ctx.baseUrl}${UPLOAD_PATH}${file.id}`, file_id: file.id };
};

/** Stores bytes POSTed to an upload URL; false when the URL names no pending file. */
export function acceptUpload(state: WorkspaceState, fileId: string, data: Buffer): boolean {
  const file = state.files.get(fileId);
  if (!file || file.completed) return false;
  file.content = data;
  file.length = data.length;
  return true;
}

const completeUploadExternal: MethodHandler = (ctx) => {
  const entries = optionalJson(ctx.args, "files", "invalid_arguments");
  if (!Array.isArray(entries) || entries.length === 0) throw slackError("invalid_arguments");
  const files = entries.map((entry) => {
    if (!isRecord(entry) || typeof entry.id !== "string") throw slackError("invalid_arguments");
    const file = ctx.state.files.get(entry.id);
    // A file whose bytes never arrived does not exist as far as Slack is concerned.
    if (!file || file.content === undefined) throw slackError("file_not_found");
    return { file, title: typeof entry.title === "string" ? entry.title : undefined };
  });
  const channelIds = [
    ...new Set([...stringList(ctx.args, "channels"), ...stringList(ctx.args, "channel_id")]),
  ];
  const channels: EmulatedChannel[] = channelIds.map((id) => {
    const channel = resolveChannel(ctx, id, { userMeansDm: true });
    if (!channel.is_im) requireMember(ctx, channel);
    requireNotArchived(channel);
    return channel;
  });
  const comment = readMessageContent(
    { text: ctx.args.initial_comment, blocks: ctx.args.blocks },
    { requireSomething: false },
  );
  const threadTs = optionalString(ctx.args, "thread_ts");
  for (const { file, title } of files) {
    if (title !== undefined) file.title = title;
    file.completed = true;
  }
  for (const channel of channels) {
    for (const { file } of files) if (!file.channels.includes(channel.id)) file.channels.push(channel.id);
    ctx.state.postMessage({
      channel: channel.id,
      user: ctx.actor,
      bot_id: ctx.state.identity.botId,
      text: comment.text ?? "",
      files: files.map(({ file }) => ({ id: file.id, name: file.name, title: file.title })),
      ...(comment.blocks === undefined ? {} : { blocks: comment.blocks }),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    });
  }
  return { files: files.map(({ file }) => fileJson(file, ctx.state, ctx.baseUrl)) };
};

const info: MethodHandler = (ctx) => {
  const id = optionalString(ctx.args, "file");
  const file = id === undefined ? undefined : ctx.state.files.get(id);
  if (!file?.completed) throw slackError("file_not_found");
  return { file: fileJson(file, ctx.state, ctx.baseUrl) };
};

/** The files.* upload v2 flow and files.info. */
export const fileMethods: Record<string, MethodHandler> = {
  "files.getUploadURLExternal": getUploadURLExternal,
  "files.completeUploadExternal": completeUploadExternal,
  "files.info": info,
};
