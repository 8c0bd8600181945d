import { FirebreakError } from "../core/errors.js";
import { escapeMrkdwn } from "../core/mrkdwn.js";
import type { SlackEmulator } from "../emulator/slack/emulator.js";
import type { SlackRequestSender, SubmittedValues } from "../emulator/slack/index.js";
import type { InboundResponse } from "../emulator/slack/request-sender.js";
import { buildTestAlertWebhook, TEST_ALERTS } from "./test-alert.js";
import type { TestAlertName } from "./test-alert.js";

/** What an action did, for the console's status line. */
export interface ActionResult {
  ok: boolean;
  note: string;
}

/** Where the console's actions go once Firebreak listens. */
export interface ConsoleTarget {
  firebreakUrl: string;
  sender: SlackRequestSender;
  alertmanagerToken?: string;
}

/**
 * With `should_escape` on (as in the app manifest) Slack turns `@name` and `#channel`
 * into `<@U…|name>` and `<#C…|name>` in slash-command text; the console does the same.
 */
export function escapeCommandText(emulator: SlackEmulator, text: string): string {
  return text
    .replace(/(^|\s)@([a-z0-9._-]+)/gi, (m, pre: string, name: string) => {
      const user = emulator.users().find((u) => u.name === name.toLowerCase());
      return user ? `${pre}<@${user.id}|${user.name}>` : m;
    })
    .replace(/(^|\s)#([a-z0-9_-]+)/gi, (m, pre: string, name: string) => {
      const channel = emulator.channelByName(name.toLowerCase());
      return channel ? `${pre}<#${channel.id}|${channel.name}>` : m;
    });
}

const answered = (what: string, r: InboundResponse): ActionResult =>
  r.status >= 200 && r.status < 300
    ? { ok: true, note: `${what}: Firebreak answered ${r.status}` }
    : { ok: false, note: `${what}: Firebreak answered ${r.status} ${r.body.slice(0, 200)}` };

/** The composer: a slash command goes to Firebreak signed; anything else is posted as the user. */
export async function sendComposerText(
  emulator: SlackEmulator,
  target: ConsoleTarget,
  input: { userId: string; channelId: string; text: string },
): Promise<ActionResult> {
  const text = input.text.trim();
  if (!text) return { ok: false, note: "Type a message or a slash command." };
  const m = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(text);
  if (!m) {
    // Slack's client escapes what the user typed: `<` is text, not markup.
    emulator.postAsUser({ channelId: input.channelId, userId: input.userId, text: escapeMrkdwn(text) });
    return { ok: true, note: "Posted." };
  }
  const command = m[1]!.toLowerCase();
  const r = await target.sender.slashCommand({
    command,
    text: escapeCommandText(emulator, m[2] ?? ""),
    userId: input.userId,
    channelId: input.channelId,
  });
  if (r.ackError) return { ok: false, note: `${command}: Slack could not show the reply (${r.ackError})` };
  if (r.status === 404)
    return { ok: false, note: `${command}: Firebreak does not handle this command (404).` };
  return answered(command, r);
}

export async function clickButton(
  target: ConsoleTarget,
  input: {
    userId: string;
    channelId: string;
    messageTs: string;
    actionId: string;
    blockId?: string;
    value?: string;
  },
): Promise<ActionResult> {
  return answered(`button ${input.actionId}`, await target.sender.clickButton(input));
}

export async function selectOption(
  target: ConsoleTarget,
  input: {
    userId: string;
    channelId: string;
    messageTs: string;
    actionId: string;
    blockId?: string;
    selectedValue: string;
  },
): Promise<ActionResult> {
  return answered(`select ${input.actionId}`, await target.sender.selectOption(input));
}

export async function submitView(
  target: ConsoleTarget,
  input: { userId: string; viewId: string; values: SubmittedValues },
): Promise<ActionResult> {
  const r = await target.sender.submitView(input);
  if (r.responseActionError) return { ok: false, note: `Slack refused the answer: ${r.responseActionError}` };
  if (r.stack.some((v) => v.id === input.viewId && v.errors && Object.keys(v.errors).length))
    return { ok: false, note: "Firebreak asked for corrections: see the form." };
  return answered("submit", r);
}

export async function closeView(
  target: ConsoleTarget,
  input: { userId: string; viewId: string },
): Promise<ActionResult> {
  const r = await target.sender.closeView(input);
  return r ? answered("close", r) : { ok: true, note: "Closed." };
}

/** Posts an Alertmanager webhook v4 to Firebreak's receiver, with the bearer token it expects. */
export async function fireTestAlert(
  target: ConsoleTarget,
  input: { alertname: string; severity: string; status: "firing" | "resolved"; now: Date; startsAt?: Date },
): Promise<ActionResult> {
  if (!Object.hasOwn(TEST_ALERTS, input.alertname))
    throw new FirebreakError("input_invalid", `There is no test alert "${input.alertname}".`);
  if (!/^[a-z]{1,20}$/.test(input.severity))
    throw new FirebreakError("input_invalid", "severity: use critical, warning or info.");
  const body = buildTestAlertWebhook({ ...input, alertname: input.alertname as TestAlertName });
  const res = await fetch(`${target.firebreakUrl}/alerts/alertmanager`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(target.alertmanagerToken ? { authorization: `Bearer ${target.alertmanagerToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = (await res.text()).slice(0, 200);
  if (res.status === 404)
    return {
      ok: false,
      note: "Firebreak has no Alertmanager receiver (POST /alerts/alertmanager answered 404).",
    };
  return res.ok
    ? { ok: true, note: `Alert ${input.alertname} ${input.status}: Firebreak answered ${res.status}` }
    : { ok: false, note: `Alert ${input.alertname}: Firebreak answered ${res.status} ${text}` };
}
