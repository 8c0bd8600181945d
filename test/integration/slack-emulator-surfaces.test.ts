import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import type { Logger } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const modal = (title = "Declare incident") => ({
  type: "modal" as const,
  callback_id: "incident.declare",
  title: { type: "plain_text" as const, text: title },
  submit: { type: "plain_text" as const, text: "Declare" },
  blocks: [
    {
      type: "input",
      block_id: "summary",
      label: { type: "plain_text", text: "Summary" },
      element: { type: "plain_text_input", action_id: "value" },
    },
  ],
});

describe("uploading long output as a file (files.uploadV2)", () => {
  it("runs getUploadURLExternal, the upload and completeUploadExternal end to end", async () => {
    const output = "pod/api-7f9 CrashLoopBackOff\n".repeat(200);
    const result = await slack.filesUploadV2({
      channel_id: "C0INCIDENTS",
      content: output,
      filename: "kubectl-get-pods.txt",
      title: "kubectl get pods",
      initial_comment: "Output of `k8s.pods`",
    });
    expect(result.ok).toBe(true);
    const file = [...emulator.state.files.values()].find((f) => f.name === "kubectl-get-pods.txt");
    expect(file?.content?.toString("utf8")).toBe(output);
    expect(file).toMatchObject({ title: "kubectl get pods", channels: ["C0INCIDENTS"], completed: true });
    const shared = emulator.messages("C0INCIDENTS").at(-1);
    expect(shared).toMatchObject({
      text: "Output of `k8s.pods`",
      files: [{ id: file?.id, title: "kubectl get pods" }],
    });
    const history = await slack.conversations.history({ channel: "C0INCIDENTS", limit: 1 });
    expect(history.messages?.[0]?.files?.[0]?.id).toBe(file?.id);
    expect(emulator.callsTo("upload_url")).toHaveLength(1);
  });

  it("uploads binary data from a Buffer unchanged", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 13, 10, 45, 45]);
    await slack.filesUploadV2({ channel_id: "C0INCIDENTS", file: bytes, filename: "dump.bin" });
    const file = [...emulator.state.files.values()].find((f) => f.name === "dump.bin");
    expect(file?.content?.equals(bytes)).toBe(true);
  });

  it("refuses to complete a file whose bytes never arrived", async () => {
    const { file_id } = await slack.files.getUploadURLExternal({ filename: "never.txt", length: 5 });
    expect(
      await slackError(
        slack.files.completeUploadExternal({ files: [{ id: file_id ?? "" }], channel_id: "C0INCIDENTS" }),
      ),
    ).toBe("file_not_found");
  });
});

describe("modals", () => {
  it("opens a modal with a fresh trigger id and shows it to that user", async () => {
    const trigger = emulator.issueTriggerId("U0ALICE");
    const opened = await slack.views.open({ trigger_id: trigger, view: modal() });
    expect(opened.view).toMatchObject({ type: "modal", callback_id: "incident.declare" });
    expect(opened.view?.id).toMatch(/^V/);
    expect(emulator.views("U0ALICE").map((v) => v.id)).toEqual([opened.view?.id]);
  });

  it("refuses unknown, reused and expired trigger ids as Slack does", async () => {
    expect(await slackError(slack.views.open({ trigger_id: "123.456.abc", view: modal() }))).toBe(
      "invalid_trigger_id",
    );
    const once = emulator.issueTriggerId("U0BOB");
    await slack.views.open({ trigger_id: once, view: modal() });
    expect(await slackError(slack.views.open({ trigger_id: once, view: modal() }))).toBe(
      "exchanged_trigger_id",
    );
    const stale = emulator.issueTriggerId("U0BOB");
    clockMs += 3001;
    expect(await slackError(slack.views.open({ trigger_id: stale, view: modal() }))).toBe(
      "expired_trigger_id",
    );
  });

  it("wants a trigger id or a view id, and a valid view", async () => {
    expect(await slackError(slack.views.open({ view: modal() } as never))).toBe("invalid_arguments");
    expect(await slackError(slack.views.update({ view: modal() } as never))).toBe("invalid_arguments");
    const trigger = emulator.issueTriggerId("U0CAROL");
    expect(await slackError(slack.views.open({ trigger_id: trigger, view: modal("t".repeat(25)) }))).toBe(
      "invalid_arguments",
    );
  });

  it("updates a modal in place, refusing a stale hash, and pushes onto the stack", async () => {
    const opened = await slack.views.open({ trigger_id: emulator.issueTriggerId("U0DAVE"), view: modal() });
    const id = opened.view?.id ?? "";
    const hash = opened.view?.hash ?? "";
    const updated = await slack.views.update({ view_id: id, hash, view: modal("Step 2") });
    expect(updated.view?.id).toBe(id);
    expect(await slackError(slack.views.update({ view_id: id, hash, view: modal("Step 3") }))).toBe(
      "hash_conflict",
    );
    await slack.views.push({ trigger_id: emulator.issueTriggerId("U0DAVE"), view: modal("Confirm") });
    expect(emulator.views("U0DAVE").map((v) => (v.title as { text: string }).text)).toEqual([
      "Step 2",
      "Confirm",
    ]);
  });
});

describe("response_url", () => {
  it("shows an ephemeral reply to the user who acted, by default", async () => {
    const url = emulator.responseUrl("C0INCIDENTS", "U0BOB");
    expect(url).toMatch(new RegExp(`^${emulator.url}response/`));
    const answer = await postJson(url, { text: "Only Bob sees this" });
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    expect(emulator.ephemerals("U0BOB").map((m) => m.text)).toContain("Only Bob sees this");
    expect(emulator.messages("C0INCIDENTS").map((m) => m.text)).not.toContain("Only Bob sees this");
  });

  it("posts to the channel with response_type in_channel", async () => {
    const url = emulator.responseUrl("C0INCIDENTS", "U0BOB");
    await postJson(url, { text: "Incident 12 declared", response_type: "in_channel" });
    expect(emulator.messages("C0INCIDENTS").at(-1)).toMatchObject({
      text: "Incident 12 declared",
      user: "U0FIREBRK",
    });
  });

  it("replaces the message it came from with replace_original", async () => {
    const posted = await slack.chat.postMessage({ channel: "C0INCIDENTS", text: "Ack?" });
    const url = emulator.responseUrl("C0INCIDENTS", "U0ALICE", { messageTs: posted.ts ?? "" });
    await postJson(url, { replace_original: true, text: "Acknowledged by alice" });
    const message = emulator.messages("C0INCIDENTS").find((m) => m.ts === posted.ts);
    expect(message?.text).toBe("Acknowledged by alice");
    expect(message?.history.map((h) => h.text)).toEqual(["Ack?"]);
  });

  it("refuses invalid blocks and a sixth use", async () => {
    const url = emulator.responseUrl("C0INCIDENTS", "U0CAROL");
    const invalid = await postJson(url, {
      blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe("invalid_blocks");
    for (let i = 0; i < 4; i += 1) await postJson(url, { text: `use ${i}` });
    expect(await postJson(url, { text: "sixth" })).toEqual({
      status: 404,
      body: { ok: false, error: "used_url" },
    });
    expect(emulator.callsTo("response_url").at(-1)).toMatchObject({ status: 404, args: { text: "sixth" } });
  });
});
