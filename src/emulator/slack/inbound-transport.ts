import { FirebreakError } from "../../core/errors.js";
import { signSlackRequest } from "./signing.js";
import type { EnvelopeType, SocketModeServer } from "./socket-mode.js";

/** Per-request twists, to prove the app rejects or deduplicates what it should. */
export interface SendOptions {
  /** Sign with this secret instead of the right one (HTTP only). */
  signingSecret?: string;
  /** Claim the request was signed this many seconds ago; Bolt refuses more than 300 (HTTP only). */
  ageSeconds?: number;
  /**
   * Mark the request as Slack's retry: `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` over HTTP,
   * `retry_attempt` / `retry_reason` on a Socket Mode Events API envelope.
   */
  retryNum?: number;
  retryReason?: string;
}

/** The app's answer: its HTTP response, or over Socket Mode the ack's payload. */
export interface InboundResponse {
  /** The HTTP status; over Socket Mode 200 once acknowledged, 0 when Slack gave up. */
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  /** Socket Mode: the envelope's id. */
  envelopeId?: string;
  /** Socket Mode: how many times Slack sent the envelope before it was acknowledged. */
  deliveries?: number;
  /** Socket Mode: the error Slack showed the user (`dispatch_failed`, `operation_timeout`). */
  deliveryError?: string;
}

/** Carries one request (a signed HTTP body, or its Socket Mode envelope) to the app. */
export type InboundTransport = (
  rawBody: string,
  contentType: string,
  options?: SendOptions,
) => Promise<InboundResponse>;

/** POSTs the body to the app's Request URL, signed as Slack signs it. */
export function httpTransport(o: {
  targetUrl: string;
  signingSecret: string;
  now: () => Date;
}): InboundTransport {
  return async (rawBody, contentType, sendOptions = {}) => {
    const timestampSec = Math.floor(o.now().getTime() / 1000) - (sendOptions.ageSeconds ?? 0);
    const headers: Record<string, string> = {
      "content-type": contentType,
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...signSlackRequest(sendOptions.signingSecret ?? o.signingSecret, rawBody, timestampSec),
    };
    if (sendOptions.retryNum !== undefined) {
      headers["x-slack-retry-num"] = String(sendOptions.retryNum);
      headers["x-slack-retry-reason"] = sendOptions.retryReason ?? "http_timeout";
    }
    const response = await fetch(o.targetUrl, { method: "POST", headers, body: rawBody });
    const body = await response.text();
    return { status: response.status, body, json: parseJson(body) };
  };
}

/**
 * Sends what Slack would have POSTed as a Socket Mode envelope instead: a form with a
 * `command` becomes `slash_commands` (its fields as the payload), a form with `payload`
 * becomes `interactive`, an `event_callback` becomes `events_api`. The ack's payload plays
 * the part of the HTTP response body.
 */
export function socketModeTransport(server: SocketModeServer): InboundTransport {
  return async (rawBody, contentType, sendOptions = {}) => {
    if (sendOptions.signingSecret !== undefined || sendOptions.ageSeconds !== undefined)
      throw new FirebreakError(
        "input_invalid",
        "Socket Mode envelopes are not signed: signingSecret and ageSeconds apply to HTTP only.",
      );
    const { type, payload } = toEnvelope(rawBody, contentType);
    const outcome = await server.deliver(type, payload, {
      ...(sendOptions.retryNum === undefined ? {} : { retryAttempt: sendOptions.retryNum }),
      ...(sendOptions.retryReason === undefined ? {} : { retryReason: sendOptions.retryReason }),
    });
    const delivery = { envelopeId: outcome.envelopeId, deliveries: outcome.deliveries };
    if (!outcome.ack)
      return { status: 0, body: "", json: undefined, ...delivery, deliveryError: outcome.error };
    const empty = Object.keys(outcome.ack).length === 0;
    return {
      status: 200,
      body: empty ? "" : JSON.stringify(outcome.ack),
      json: empty ? undefined : outcome.ack,
      ...delivery,
    };
  };
}

function toEnvelope(
  rawBody: string,
  contentType: string,
): { type: EnvelopeType; payload: Record<string, unknown> } {
  const kind = contentType.split(";")[0]?.trim().toLowerCase();
  if (kind === "application/json") {
    const body = parseJson(rawBody);
    if (isObject(body) && body.type === "event_callback") return { type: "events_api", payload: body };
    throw new FirebreakError(
      "input_invalid",
      "Over Socket Mode only event_callback bodies are sent as JSON.",
    );
  }
  const fields = Object.fromEntries(new URLSearchParams(rawBody));
  if (typeof fields.payload === "string") {
    const payload = parseJson(fields.payload);
    if (isObject(payload)) return { type: "interactive", payload };
  } else if (typeof fields.command === "string") {
    return { type: "slash_commands", payload: fields };
  }
  throw new FirebreakError(
    "input_invalid",
    "Socket Mode carries slash commands, interactions and events; this body is none of them.",
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
