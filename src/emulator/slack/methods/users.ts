import { optionalBoolean, optionalString, paginate, slackError } from "../args.js";
import { userJson } from "../serialize.js";
import type { MethodHandler } from "./context.js";

const authTest: MethodHandler = (ctx) => {
  const { identity } = ctx.state;
  const bot = ctx.state.users.get(ctx.actor);
  return {
    url: `https://${identity.teamDomain}.slack.com/`,
    team: identity.teamName,
    user: bot?.name ?? "firebreak",
    team_id: identity.teamId,
    user_id: ctx.actor,
    bot_id: identity.botId,
    is_enterprise_install: false,
  };
};

const info: MethodHandler = (ctx) => {
  const id = optionalString(ctx.args, "user");
  const user = id === undefined ? undefined : ctx.state.users.get(id);
  if (!user) throw slackError("user_not_found");
  return { user: userJson(user, ctx.state.identity) };
};

const list: MethodHandler = (ctx) => {
  const { page, nextCursor } = paginate([...ctx.state.users.values()], ctx.args, 200);
  return {
    members: page.map((u) => userJson(u, ctx.state.identity)),
    cache_ts: ctx.state.ids.unix(),
    response_metadata: { next_cursor: nextCursor },
  };
};

const lookupByEmail: MethodHandler = (ctx) => {
  const email = optionalString(ctx.args, "email")?.toLowerCase();
  const user = [...ctx.state.users.values()].find(
    (u) => email !== undefined && u.email?.toLowerCase() === email,
  );
  if (!user) throw slackError("users_not_found");
  return { user: userJson(user, ctx.state.identity) };
};

const usergroupUsers: MethodHandler = (ctx) => {
  const id = optionalString(ctx.args, "usergroup");
  if (id === undefined) throw slackError("invalid_arguments");
  const group = ctx.state.usergroups.get(id);
  if (!group) throw slackError("no_such_subteam");
  return { users: [...group.users] };
};

const usergroupList: MethodHandler = (ctx) => {
  const includeUsers = optionalBoolean(ctx.args, "include_users") === true;
  const { identity } = ctx.state;
  return {
    usergroups: [...ctx.state.usergroups.values()].map((g) => ({
      id: g.id,
      team_id: identity.teamId,
      is_usergroup: true,
      name: g.name,
      description: "",
      handle: g.handle,
      is_external: false,
      date_create: 1700000000,
      date_update: 1700000000,
      date_delete: 0,
      auto_type: null,
      created_by: ctx.actor,
      updated_by: ctx.actor,
      deleted_by: null,
      prefs: { channels: [], groups: [] },
      user_count: g.users.length,
      ...(includeUsers ? { users: [...g.users] } : {}),
    })),
  };
};

/** auth.test, users.* and usergroups.*. */
export const userMethods: Record<string, MethodHandler> = {
  "auth.test": authTest,
  "users.info": info,
  "users.list": list,
  "users.lookupByEmail": lookupByEmail,
  "usergroups.users.list": usergroupUsers,
  "usergroups.list": usergroupList,
};
