import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import type { Logger } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import { startSlackEmulator } from "../../src/emulator/slack/index.js";
import type { SlackEmulator } from "../../src/emulator/slack/index.js";

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The emulator's clock, moved by hand. */
let clockMs = Date.parse("2024-03-01T03:00:00Z");
let emulator: SlackEmulator;
let slack: WebClient;

beforeAll(async () => {
  emulator = await startSlackEmulator({ now: () => new Date(clockMs) });
  slack = new WebClient(emulator.botToken, {
    slackApiUrl: emulator.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: quiet,
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.clearCalls();
});

/** What a rejected call carried: Slack's error string, or WebClient's rate-limit wait. */
async function failure(call: Promise<unknown>): Promise<{ error?: string; retryAfter?: number }> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string }; retryAfter?: number };
    if (e.code === ErrorCode.PlatformError) return { error: e.data?.error ?? "" };
    if (e.code === ErrorCode.RateLimitedError) return { retryAfter: e.retryAfter ?? -1 };
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe("rate limiting, as Slack's 429 with Retry-After", () => {
  it("lets perMinute calls through in a sliding minute, then answers 429 until the oldest ages out", async () => {
    emulator.rateLimit("chat.postMessage", { perMinute: 2 });
    try {
      await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "1" });
      clockMs += 20_000;
      await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "2" });
      clockMs += 10_000;
      // The first call was 30 s ago: it leaves the window in 30 s.
      expect(await failure(slack.chat.postMessage({ channel: "C0INCIDENTS", text: "3" }))).toEqual({
        retryAfter: 30,
      });
      const limited = emulator.callsTo("chat.postMessage").at(-1);
      expect(limited).toMatchObject({ status: 429, response: { ok: false, error: "ratelimited" } });
      clockMs += 30_000;
      const third = await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "3" });
      expect(third.ok).toBe(true);
      expect(await failure(slack.chat.postMessage({ channel: "C0INCIDENTS", text: "4" }))).toEqual({
        retryAfter: 20,
      });
    } finally {
      emulator.rateLimit("chat.postMessage", null);
    }
  });

  it("sends a real Retry-After header a plain HTTP client can read", async () => {
    emulator.failNext("conversations.info", { rateLimitSeconds: 7 });
    const response = await fetch(`${emulator.apiUrl}conversations.info`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${emulator.botToken}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "channel=C0INCIDENTS",
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toEqual({ ok: false, error: "ratelimited" });
  });

  it("surfaces an injected rate limit as WebClient's rate-limited error with its retryAfter", async () => {
    emulator.failNext("chat.update", { rateLimitSeconds: 12 });
    expect(await failure(slack.chat.update({ channel: "C0INCIDENTS", ts: "1.1", text: "x" }))).toEqual({
      retryAfter: 12,
    });
  });
});

describe("Slack's published rate limits, when enforced", () => {
  it("is off unless asked: thirty channel creations in a minute all succeed", async () => {
    for (let i = 0; i < 30; i += 1) {
      const created = await slack.conversations.create({ name: `unlimited-${i}` });
      expect(created.ok).toBe(true);
    }
  });

  it("holds a Tier 2 method to 20 calls in any sliding minute, with Retry-After until the oldest ages out", async () => {
    emulator.enforceRateLimits(true);
    try {
      for (let i = 0; i < 20; i += 1) {
        await slack.conversations.create({ name: `tier2-${i}` });
        clockMs += 1_000;
      }
      // The first call was 20 s ago: it leaves the window in 40 s.
      expect(await failure(slack.conversations.create({ name: "tier2-20" }))).toEqual({ retryAfter: 40 });
      expect(emulator.state.channelByName("tier2-20")).toBeUndefined();
      // Other methods have budgets of their own.
      expect((await slack.conversations.info({ channel: "C0INCIDENTS" })).ok).toBe(true);
      clockMs += 40_000;
      expect((await slack.conversations.create({ name: "tier2-20" })).ok).toBe(true);
      expect(await failure(slack.conversations.create({ name: "tier2-21" }))).toEqual({ retryAfter: 1 });
    } finally {
      emulator.enforceRateLimits(false);
      clockMs += 60_000;
    }
  });

  it("answers auth.test with 429 beyond 100 a minute", async () => {
    emulator.enforceRateLimits(true);
    try {
      for (let i = 0; i < 100; i += 1) expect((await slack.auth.test()).ok).toBe(true);
      expect(await failure(slack.auth.test())).toEqual({ retryAfter: 60 });
    } finally {
      emulator.enforceRateLimits(false);
      clockMs += 60_000;
    }
  });

  it("lets about one message a second into a channel, bursts of five, and each channel its own", async () => {
    emulator.enforceRateLimits(true);
    try {
      for (let i = 0; i < 5; i += 1) await slack.chat.postMessage({ channel: "C0INCIDENTS", text: `b${i}` });
      expect(await failure(slack.chat.postMessage({ channel: "C0INCIDENTS", text: "b5" }))).toEqual({
        retryAfter: 5,
      });
      const dm = await slack.conversations.open({ users: "U0CAROL" });
      const channel = (dm.channel as { id: string }).id;
      expect((await slack.chat.postMessage({ channel, text: "elsewhere" })).ok).toBe(true);
      clockMs += 5_000;
      expect((await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "b5" })).ok).toBe(true);
    } finally {
      emulator.enforceRateLimits(false);
      clockMs += 60_000;
    }
  });
});

describe("a Slack outage", () => {
  it("answers every Web API call and response URL with 503 until it ends, and records them", async () => {
    const responseUrl = emulator.responseUrl("C0INCIDENTS", "U0CAROL");
    emulator.startOutage();
    try {
      await expect(slack.chat.postMessage({ channel: "C0INCIDENTS", text: "down" })).rejects.toMatchObject({
        code: ErrorCode.HTTPError,
        statusCode: 503,
      });
      const hook = await fetch(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "down" }),
      });
      expect(hook.status).toBe(503);
      expect(emulator.calls.map((c) => [c.method, c.status])).toEqual([
        ["chat.postMessage", 503],
        ["response_url", 503],
      ]);
      expect(emulator.messages("C0INCIDENTS").some((m) => m.text === "down")).toBe(false);
    } finally {
      emulator.endOutage();
    }
    expect((await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "up again" })).ok).toBe(true);
  });
});

describe("scripted failures", () => {
  it("fails the next calls to a method with the given error, then behaves again", async () => {
    emulator.failNext("conversations.create", { error: "restricted_action" }, 2);
    expect(await failure(slack.conversations.create({ name: "scripted-1" }))).toEqual({
      error: "restricted_action",
    });
    expect(await failure(slack.conversations.create({ name: "scripted-1" }))).toEqual({
      error: "restricted_action",
    });
    const created = await slack.conversations.create({ name: "scripted-1" });
    expect(created.ok).toBe(true);
  });

  it("leaves other methods alone", async () => {
    emulator.failNext("pins.add", { error: "fatal_error" });
    const auth = await slack.auth.test();
    expect(auth.ok).toBe(true);
    expect(await failure(slack.pins.add({ channel: "C0INCIDENTS", timestamp: "1.1" }))).toEqual({
      error: "fatal_error",
    });
  });
});

describe("the call record", () => {
  it("records each call with decoded arguments, the answer and no token", async () => {
    await slack.chat.postMessage({
      channel: "C0INCIDENTS",
      text: "hello",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "hello" } }],
    });
    const [call] = emulator.callsTo("chat.postMessage");
    expect(call?.args).toMatchObject({
      channel: "C0INCIDENTS",
      text: "hello",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "hello" } }],
    });
    expect(call?.args).not.toHaveProperty("token");
    expect(call?.status).toBe(200);
    expect(call?.response).toMatchObject({ ok: true, channel: "C0INCIDENTS" });
    expect(call?.at).toEqual(new Date(clockMs));
    emulator.clearCalls();
    expect(emulator.calls).toEqual([]);
  });

  it("emits every call and message to listeners", async () => {
    const seen: string[] = [];
    const onCall = (call: { method: string }) => seen.push(`call ${call.method}`);
    const onMessage = (message: { text: string }) => seen.push(`message ${message.text}`);
    emulator.on("call", onCall);
    emulator.on("message", onMessage);
    try {
      await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "listened" });
    } finally {
      emulator.off("call", onCall);
      emulator.off("message", onMessage);
    }
    expect(seen).toEqual(["message listened", "call chat.postMessage"]);
  });
});

describe("waiting for what the app does", () => {
  it("resolves with a message posted after the wait began", async () => {
    const waiting = emulator.waitForMessage((m) => m.text === "later", { timeoutMs: 5000 });
    await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "later" });
    const message = await waiting;
    expect(message.channel).toBe("C0INCIDENTS");
  });

  it("resolves at once with something already recorded", async () => {
    await slack.conversations.setTopic({ channel: "C0INCIDENTS", topic: "quiet night" });
    const call = await emulator.waitForCall("conversations.setTopic", (c) => c.args.topic === "quiet night");
    expect(call.response).toMatchObject({ ok: true });
  });

  it("rejects with a timeout error naming what it did see", async () => {
    await slack.auth.test();
    const waiting = emulator.waitFor((e) => e.type === "call" && e.call.method === "views.open", {
      timeoutMs: 20,
    });
    await expect(waiting).rejects.toBeInstanceOf(FirebreakError);
    await expect(waiting).rejects.toThrow(
      /nothing matched within 20 ms \(1 calls recorded; last: auth\.test\)/,
    );
  });
});
