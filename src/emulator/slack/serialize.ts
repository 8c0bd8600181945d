import type { WorkspaceIdentity, WorkspaceState } from "./state.js";
import type { EmulatedChannel, EmulatedFile, EmulatedMessage, EmulatedUser, EmulatedView } from "./types.js";

/** The Web API's JSON for a conversation, as the given user (the bot) sees it. */
export function channelJson(channel: EmulatedChannel, state: WorkspaceState, viewer: string) {
  const team = state.identity.teamId;
  if (channel.is_im) {
    return {
      id: channel.id,
      created: channel.created,
      is_archived: channel.is_archived,
      is_im: true,
      is_org_shared: false,
      context_team_id: team,
      updated: channel.created * 1000,
      user: channel.user,
      is_user_deleted: false,
      priority: 0,
    };
  }
  return {
    id: channel.id,
    name: channel.name,
    // Private channels created since 2021 are is_channel + is_private; is_group is legacy.
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: channel.is_private,
    created: channel.created,
    is_archived: channel.is_archived,
    is_general: false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: team,
    updated: channel.created * 1000,
    parent_conversation: null,
    creator: channel.creator,
    is_ext_shared: false,
    shared_team_ids: [team],
    pending_connected_team_ids: [],
    is_member: channel.members.includes(viewer),
    topic: { ...channel.topic },
    purpose: { ...channel.purpose },
    previous_names: [],
    num_members: channel.members.length,
  };
}

/** A message as conversations.history and chat.postMessage return it. */
export function messageJson(message: EmulatedMessage, identity: WorkspaceIdentity) {
  const fromBot = message.bot_id !== undefined;
  return {
    type: "message",
    ...(message.files ? { upload: true, display_as_bot: false } : {}),
    user: message.user,
    ...(fromBot ? { bot_id: message.bot_id, app_id: identity.appId } : {}),
    text: message.text,
    ts: message.ts,
    team: identity.teamId,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.files ? { files: message.files.map((f) => ({ ...f })) } : {}),
    ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
    ...(message.reply_count === undefined ? {} : { reply_count: message.reply_count }),
    ...(message.edited ? { edited: { ...message.edited } } : {}),
    ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
    ...(fromBot
      ? {
          bot_profile: {
            id: message.bot_id,
            app_id: identity.appId,
            name: "firebreak",
            icons: {},
            deleted: false,
            updated: 1700000000,
            team_id: identity.teamId,
          },
        }
      : {}),
  };
}

/** users.info / users.list JSON. */
export function userJson(user: EmulatedUser, identity: WorkspaceIdentity) {
  const tz = user.tz ?? "Etc/UTC";
  return {
    id: user.id,
    team_id: identity.teamId,
    name: user.name,
    deleted: user.deleted ?? false,
    color: "9f69e7",
    real_name: user.real_name,
    tz,
    tz_label: tz === "Etc/UTC" ? "Coordinated Universal Time" : tz,
    tz_offset: 0,
    profile: {
      real_name: user.real_name,
      real_name_normalized: user.real_name,
      display_name: user.name,
      display_name_normalized: user.name,
      ...(user.email === undefined ? {} : { email: user.email }),
      ...(user.is_bot ? { bot_id: identity.botId, api_app_id: identity.appId, always_active: true } : {}),
      team: identity.teamId,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.is_bot,
    is_app_user: false,
    updated: 1700000000,
  };
}

/** A view as views.open/update/push return it and interactions carry it. */
export function viewJson(view: EmulatedView, identity: WorkspaceIdentity) {
  return {
    id: view.id,
    team_id: identity.teamId,
    type: view.type,
    blocks: view.blocks,
    private_metadata: view.private_metadata,
    callback_id: view.callback_id,
    state: view.state,
    hash: view.hash,
    title: view.title,
    clear_on_close: view.clear_on_close,
    notify_on_close: view.notify_on_close,
    close: view.close,
    submit: view.submit,
    previous_view_id: view.previous_view_id,
    root_view_id: view.root_view_id,
    app_id: identity.appId,
    external_id: view.external_id,
    app_installed_team_id: identity.teamId,
    bot_id: identity.botId,
  };
}

/** A file object (files.completeUploadExternal, message `files`). */
export function fileJson(file: EmulatedFile, state: WorkspaceState, baseUrl: string) {
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? "text";
  const url = `${baseUrl}files/${file.id}/${encodeURIComponent(file.name)}`;
  const shares: Record<string, unknown[]> = {};
  for (const channelId of file.channels) {
    const channel = state.channels.get(channelId);
    shares[channelId] = [{ channel_name: channel?.name ?? "", team_id: state.identity.teamId }];
  }
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: extension === "txt" || extension === "text" ? "text/plain" : "application/octet-stream",
    filetype: extension,
    pretty_type: extension.toUpperCase(),
    user: file.user,
    user_team: state.identity.teamId,
    editable: false,
    size: file.content?.length ?? file.length,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: file.channels.some((c) => state.channels.get(c)?.is_private === false),
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: `https://${state.identity.teamDomain}.slack.com/files/${file.user}/${file.id}/${file.name}`,
    permalink_public: `https://slack-files.com/${state.identity.teamId}-${file.id}`,
    channels: file.channels.filter((c) => !state.channels.get(c)?.is_private),
    groups: file.channels.filter(
      (c) => state.channels.get(c)?.is_private === true && !state.channels.get(c)?.is_im,
    ),
    ims: file.channels.filter((c) => state.channels.get(c)?.is_im),
    shares: { public: shares },
    comments_count: 0,
    ...(file.alt_text === undefined ? {} : { alt_txt: file.alt_text }),
  };
}
