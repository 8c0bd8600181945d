import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import type { Logger } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlackEmulator } from "../../src/emulator/slack/index.js";
import type { SlackEmulator } from "../../src/emulator/slack/index.js";

let emulator: SlackEmulator;
let slack: WebClient;

beforeAll(async () => {
  emulator = await startSlackEmulator();
  slack = clientFor(emulator.botToken);
});

afterAll(async () => {
  await emulator.close();
});

/** WebClient logs Slack's `[ERROR]` response_metadata lines, which these tests provoke on purpose. */
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function clientFor(token?: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: emulator.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: quiet,
  });
}

/** The Slack `error` string a call fails with. */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError && e.data?.error) return e.data.error;
    throw err;
  }
  throw new Error("expected the call to fail");
}

/** A channel the bot is not in, created by a human. */
function foreignChannel(name: string) {
  return emulator.state.createChannel({ name, creator: "U0ALICE", members: ["U0ALICE"] });
}

describe("the emulated workspace as a new app sees it", () => {
  it("answers auth.test as the firebreak bot of the local team", async () => {
    const auth = await slack.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: "U0FIREBRK", user: "firebreak", team_id: "T0FIREBRK" });
  });

  it("refuses a missing token with not_authed and a wrong one with invalid_auth", async () => {
    expect(await slackError(clientFor().auth.test())).toBe("not_authed");
    expect(await slackError(clientFor("xoxb-wrong").auth.test())).toBe("invalid_auth");
  });

  it("answers a method it does not know with unknown_method", async () => {
    expect(await slackError(slack.apiCall("chat.teleport", {}))).toBe("unknown_method");
  });

  it("seeds #incidents with the bot in it, the four humans and @oncall", async () => {
    const incidents = emulator.channelByName("incidents");
    expect(incidents?.id).toBe("C0INCIDENTS");
    expect(incidents?.members).toContain("U0FIREBRK");
    const users = await slack.users.list({});
    expect(users.members?.map((u) => u.name)).toEqual(["firebreak", "alice", "bob", "carol", "dave"]);
    const oncall = await slack.usergroups.users.list({ usergroup: "S0ONCALL" });
    expect(oncall.users).toEqual(["U0ALICE", "U0BOB"]);
    expect(await slackError(slack.usergroups.users.list({ usergroup: "S0NOPE" }))).toBe("no_such_subteam");
  });

  it("describes users with users.info and refuses unknown ones", async () => {
    const alice = await slack.users.info({ user: "U0ALICE" });
    expect(alice.user).toMatchObject({
      id: "U0ALICE",
      name: "alice",
      real_name: "Alice Archer",
      is_bot: false,
    });
    expect(await slackError(slack.users.info({ user: "U0NOBODY" }))).toBe("user_not_found");
  });

  it("accepts JSON bodies with a bearer token, and the token as a form field", async () => {
    const json = await fetch(`${emulator.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${emulator.botToken}` },
      body: "{}",
    });
    expect(await json.json()).toMatchObject({ ok: true, user_id: "U0FIREBRK" });
    const form = await fetch(`${emulator.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: emulator.botToken }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true });
  });
});

describe("creating and running an incident channel", () => {
  it("creates a channel with the bot as member and refuses the same name twice", async () => {
    const created = await slack.conversations.create({ name: "inc-42-db-down" });
    expect(created.channel).toMatchObject({ name: "inc-42-db-down", is_channel: true, is_member: true });
    expect(created.channel?.id).toMatch(/^C[0-9A-Z]+$/);
    expect(emulator.channelByName("inc-42-db-down")?.members).toEqual(["U0FIREBRK"]);
    expect(await slackError(slack.conversations.create({ name: "inc-42-db-down" }))).toBe("name_taken");
  });

  it("refuses names Slack refuses, with Slack's reasons", async () => {
    expect(await slackError(slack.conversations.create({ name: "Inc 42" }))).toBe("invalid_name_specials");
    expect(await slackError(slack.conversations.create({ name: "x".repeat(81) }))).toBe(
      "invalid_name_maxlength",
    );
    expect(await slackError(slack.conversations.create({ name: "" }))).toBe("invalid_name_required");
    const longest = await slack.conversations.create({ name: "y".repeat(80) });
    expect(longest.ok).toBe(true);
  });

  it("invites people, and says why it cannot", async () => {
    const { channel } = await slack.conversations.create({ name: "inc-43-invites" });
    const id = channel?.id ?? "";
    await slack.conversations.invite({ channel: id, users: "U0ALICE,U0BOB" });
    expect(emulator.state.channels.get(id)?.members).toEqual(["U0FIREBRK", "U0ALICE", "U0BOB"]);
    expect(await slackError(slack.conversations.invite({ channel: id, users: "U0ALICE" }))).toBe(
      "already_in_channel",
    );
    expect(await slackError(slack.conversations.invite({ channel: id, users: "U0GHOST" }))).toBe(
      "user_not_found",
    );
    expect(await slackError(slack.conversations.invite({ channel: "C0MISSING", users: "U0BOB" }))).toBe(
      "channel_not_found",
    );
    const foreign = foreignChannel("alices-room");
    expect(await slackError(slack.conversations.invite({ channel: foreign.id, users: "U0BOB" }))).toBe(
      "not_in_channel",
    );
    const members = await slack.conversations.members({ channel: id });
    expect(members.members).toEqual(["U0FIREBRK", "U0ALICE", "U0BOB"]);
  });

  it("sets topic and purpose, visible in conversations.info", async () => {
    const { channel } = await slack.conversations.create({ name: "inc-44-topic" });
    const id = channel?.id ?? "";
    await slack.conversations.setTopic({ channel: id, topic: "SEV1: checkout down" });
    await slack.conversations.setPurpose({ channel: id, purpose: "Incident 44" });
    const info = await slack.conversations.info({ channel: id });
    expect(info.channel?.topic?.value).toBe("SEV1: checkout down");
    expect(info.channel?.purpose?.value).toBe("Incident 44");
    expect(await slackError(slack.conversations.setTopic({ channel: id, topic: "t".repeat(251) }))).toBe(
      "too_long",
    );
  });

  it("joins a public channel it was not in", async () => {
    const foreign = foreignChannel("joinable");
    await slack.conversations.join({ channel: foreign.id });
    expect(emulator.state.channels.get(foreign.id)?.members).toContain("U0FIREBRK");
  });

  it("lists public channels with is_member as the bot sees it", async () => {
    const listed = await slack.conversations.list({ limit: 1000 });
    const incidents = listed.channels?.find((c) => c.id === "C0INCIDENTS");
    expect(incidents).toMatchObject({ name: "incidents", is_member: true });
    expect(listed.channels?.every((c) => c.is_im !== true)).toBe(true);
  });
});

describe("posting, editing and pinning messages", () => {
  it("gives messages Slack-shaped, strictly increasing timestamps", async () => {
    const first = await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "one" });
    const second = await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "two" });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(second.message).toMatchObject({ text: "two", user: "U0FIREBRK", bot_id: "B0FIREBRK" });
  });

  it("keeps blocks, giving each a block_id and each button an action_id as Slack does", async () => {
    const posted = await slack.chat.postMessage({
      channel: "C0INCIDENTS",
      text: "fallback",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "*Incident 7*" } },
        {
          type: "actions",
          elements: [{ type: "button", text: { type: "plain_text", text: "Ack" }, value: "7" }],
        },
      ],
    });
    const stored = emulator.messages("C0INCIDENTS").find((m) => m.ts === posted.ts);
    const blocks = stored?.blocks as { block_id?: string; elements?: { action_id?: string }[] }[];
    expect(blocks.map((b) => b.block_id)).toEqual([expect.any(String), expect.any(String)]);
    expect(blocks[1]?.elements?.[0]?.action_id).toEqual(expect.any(String));
  });

  it("refuses to post where the bot is not a member, or to a channel that does not exist", async () => {
    const foreign = foreignChannel("no-bot-here");
    expect(await slackError(slack.chat.postMessage({ channel: foreign.id, text: "hi" }))).toBe(
      "not_in_channel",
    );
    expect(await slackError(slack.chat.postMessage({ channel: "C0NOPE", text: "hi" }))).toBe(
      "channel_not_found",
    );
    expect(emulator.messages(foreign.id)).toEqual([]);
  });

  it("delivers a message addressed to a user id in the bot's DM with them", async () => {
    const posted = await slack.chat.postMessage({ channel: "U0CAROL", text: "You are paged for incident 9" });
    const dm = emulator.dm("U0CAROL");
    expect(dm?.id).toMatch(/^D/);
    expect(posted.channel).toBe(dm?.id);
    expect(emulator.messages(dm?.id ?? "").map((m) => m.text)).toEqual(["You are paged for incident 9"]);
    const opened = await slack.conversations.open({ users: "U0CAROL" });
    expect(opened.channel?.id).toBe(dm?.id);
  });

  it("updates a message in place, keeping what it said before", async () => {
    const posted = await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "Status: investigating" });
    const updated = await slack.chat.update({
      channel: "C0INCIDENTS",
      ts: posted.ts ?? "",
      text: "Status: mitigated",
    });
    expect(updated.ts).toBe(posted.ts);
    const stored = emulator.messages("C0INCIDENTS").find((m) => m.ts === posted.ts);
    expect(stored?.text).toBe("Status: mitigated");
    expect(stored?.history.map((h) => h.text)).toEqual(["Status: investigating"]);
    expect(stored?.edited?.user).toBe("U0FIREBRK");
    expect(await slackError(slack.chat.update({ channel: "C0INCIDENTS", ts: "1.000001", text: "x" }))).toBe(
      "message_not_found",
    );
  });

  it("pins a message once and lists it", async () => {
    const { channel } = await slack.conversations.create({ name: "inc-45-pins" });
    const id = channel?.id ?? "";
    const summary = await slack.chat.postMessage({ channel: id, text: "Summary" });
    await slack.pins.add({ channel: id, timestamp: summary.ts ?? "" });
    expect(await slackError(slack.pins.add({ channel: id, timestamp: summary.ts ?? "" }))).toBe(
      "already_pinned",
    );
    expect(await slackError(slack.pins.add({ channel: id, timestamp: "1.000002" }))).toBe(
      "message_not_found",
    );
    const pins = await slack.pins.list({ channel: id });
    expect(pins.items?.map((i) => i.message?.text)).toEqual(["Summary"]);
    const history = await slack.conversations.history({ channel: id });
    expect(history.pin_count).toBe(1);
  });

  it("shows an ephemeral message to its one user and refuses users outside the channel", async () => {
    const { channel } = await slack.conversations.create({ name: "inc-46-ephemeral" });
    const id = channel?.id ?? "";
    await slack.conversations.invite({ channel: id, users: "U0DAVE" });
    const sent = await slack.chat.postEphemeral({
      channel: id,
      user: "U0DAVE",
      text: "Only you can see this",
    });
    expect(sent.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(emulator.ephemerals("U0DAVE").map((m) => m.text)).toContain("Only you can see this");
    expect(emulator.messages(id)).toEqual([]);
    expect(emulator.messages(id, { visibleTo: "U0DAVE" })).toHaveLength(1);
    const history = await slack.conversations.history({ channel: id });
    expect(history.messages).toEqual([]);
    expect(await slackError(slack.chat.postEphemeral({ channel: id, user: "U0BOB", text: "x" }))).toBe(
      "user_not_in_channel",
    );
  });

  it("returns history newest first without thread replies, page by page", async () => {
    const { channel } = await slack.conversations.create({ name: "inc-47-history" });
    const id = channel?.id ?? "";
    const parent = await slack.chat.postMessage({ channel: id, text: "first" });
    await slack.chat.postMessage({ channel: id, text: "reply", thread_ts: parent.ts ?? "" });
    await slack.chat.postMessage({ channel: id, text: "second" });
    const page1 = await slack.conversations.history({ channel: id, limit: 1 });
    expect(page1.messages?.map((m) => m.text)).toEqual(["second"]);
    expect(page1.has_more).toBe(true);
    const page2 = await slack.conversations.history({
      channel: id,
      limit: 1,
      cursor: page1.response_metadata?.next_cursor ?? "",
    });
    expect(page2.messages?.map((m) => [m.text, m.reply_count])).toEqual([["first", 1]]);
    expect(page2.has_more).toBe(false);
    const thread = await slack.conversations.replies({ channel: id, ts: parent.ts ?? "" });
    expect(thread.messages?.map((m) => m.text)).toEqual(["first", "reply"]);
  });

  it("gives a permalink to a message", async () => {
    const posted = await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "link me" });
    const link = await slack.chat.getPermalink({ channel: "C0INCIDENTS", message_ts: posted.ts ?? "" });
    expect(link.permalink).toBe(
      `https://firebreak-local.slack.com/archives/C0INCIDENTS/p${(posted.ts ?? "").replace(".", "")}`,
    );
  });
});

describe("Block Kit limits, enforced as Slack enforces them", () => {
  const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
  const button = (extra: Record<string, unknown>) => ({
    type: "actions",
    elements: [{ type: "button", text: { type: "plain_text", text: "Go" }, action_id: "go", ...extra }],
  });
  const post = (blocks: unknown[], text = "fallback") =>
    slack.chat.postMessage({ channel: "C0INCIDENTS", text, blocks: blocks as never });

  it("accepts blocks exactly at the limits", async () => {
    const atLimits = [
      { type: "header", text: { type: "plain_text", text: "h".repeat(150) } },
      section("s".repeat(3000)),
      {
        type: "section",
        fields: Array.from({ length: 10 }, () => ({ type: "mrkdwn", text: "f".repeat(2000) })),
      },
      button({ value: "v".repeat(2000), action_id: "a".repeat(255) }),
      ...Array.from({ length: 46 }, (_, i) => section(`line ${i}`)),
    ];
    expect(atLimits).toHaveLength(50);
    const posted = await post(atLimits, "t".repeat(40_000));
    expect(posted.ok).toBe(true);
  });

  it.each([
    ["51 blocks", Array.from({ length: 51 }, () => section("x"))],
    [
      "a header over 150 characters",
      [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
    ],
    ["a section over 3000 characters", [section("s".repeat(3001))]],
    ["a button value over 2000 characters", [button({ value: "v".repeat(2001) })]],
    [
      "more than 10 fields",
      [{ type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })) }],
    ],
    [
      "a field over 2000 characters",
      [{ type: "section", fields: [{ type: "mrkdwn", text: "f".repeat(2001) }] }],
    ],
    ["an action_id over 255 characters", [button({ action_id: "a".repeat(256) })]],
    ["a block_id over 255 characters", [{ ...section("x"), block_id: "b".repeat(256) }]],
  ])("refuses %s with invalid_blocks", async (_what, blocks) => {
    expect(await slackError(post(blocks))).toBe("invalid_blocks");
  });

  it("says where the problem is, as Slack's response_metadata does", async () => {
    try {
      await post([section("ok"), section("s".repeat(3001))]);
      expect.unreachable();
    } catch (err) {
      const data = (err as { data: { response_metadata?: { messages?: string[] } } }).data;
      expect(data.response_metadata?.messages).toEqual([
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]",
      ]);
    }
  });

  it("refuses top-level text over 40,000 characters with msg_too_long", async () => {
    expect(
      await slackError(slack.chat.postMessage({ channel: "C0INCIDENTS", text: "t".repeat(40_001) })),
    ).toBe("msg_too_long");
  });

  it("refuses a message with nothing in it with no_text", async () => {
    expect(await slackError(slack.chat.postMessage({ channel: "C0INCIDENTS" } as never))).toBe("no_text");
  });
});
