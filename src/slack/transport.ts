import { ErrorCode, WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { pinoToSlackLogger } from "./slack-logger.js";

/** What went wrong with a Slack call, in the terms the outbox decides on. */
export type SlackCallFailure =
  | { kind: "rate_limited"; retryAfterMs: number; message: string }
  /** Slack answered ok:false: `error` is Slack's string (name_taken, not_in_channel, …). */
  | { kind: "platform"; error: string; message: string }
  /** Network trouble or a 5xx: worth retrying. */
  | { kind: "transient"; message: string };

export class SlackCallError extends Error {
  override readonly name = "SlackCallError";
  constructor(
    readonly failure: SlackCallFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.message, options);
  }
}

/** The one door to Slack's Web API. Everything that calls Slack goes through here. */
export interface SlackTransport {
  call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Posts a slash-command or interaction reply to its `response_url`. */
  respond(responseUrl: string, body: Record<string, unknown>): Promise<void>;
}

/** Slack errors that mean the token itself is no longer what it was. */
export const AUTH_ERRORS = new Set(["invalid_auth", "token_revoked", "account_inactive", "not_authed"]);

const TRANSIENT_ERRORS = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);

/**
 * A transport over the official `@slack/web-api` client with its own retries off: the
 * outbox owns retrying, so a 429 surfaces at once with its Retry-After.
 */
export function createSlackTransport(opts: {
  token: string;
  apiUrl?: string;
  logger: Logger;
  /** Slack refused the token itself (invalid_auth, token_revoked …): the bot identity is re-read. */
  onAuthError?: (error: string) => void;
}): SlackTransport {
  const client = new WebClient(opts.token, {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: pinoToSlackLogger(opts.logger),
  });
  return {
    async call(method, args) {
      try {
        return (await client.apiCall(method, args)) as unknown as Record<string, unknown>;
      } catch (err) {
        const e = translate(err);
        if (e.failure.kind === "platform" && AUTH_ERRORS.has(e.failure.error))
          opts.onAuthError?.(e.failure.error);
        throw e;
      }
    },
    async respond(responseUrl, body) {
      let res: Response;
      try {
        res = await fetch(responseUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        throw new SlackCallError(
          { kind: "transient", message: `response_url unreachable: ${(err as Error).message}` },
          { cause: err },
        );
      }
      if (res.status === 429) {
        const after = Number(res.headers.get("retry-after") ?? "1");
        throw new SlackCallError({
          kind: "rate_limited",
          retryAfterMs: after * 1000,
          message: "response_url rate limited",
        });
      }
      if (res.status >= 500)
        throw new SlackCallError({ kind: "transient", message: `response_url answered ${res.status}` });
      if (!res.ok) {
        const text = await res.text().catch(() => "");
        throw new SlackCallError({
          kind: "platform",
          error: text || `http_${res.status}`,
          message: `response_url answered ${res.status}`,
        });
      }
    },
  };
}

function translate(err: unknown): SlackCallError {
  const e = err as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    message?: string;
  };
  const message = e.message ?? String(err);
  if (e.code === ErrorCode.RateLimitedError) {
    return new SlackCallError(
      { kind: "rate_limited", retryAfterMs: (e.retryAfter ?? 1) * 1000, message },
      { cause: err },
    );
  }
  if (e.code === ErrorCode.PlatformError) {
    const error = e.data?.error ?? "unknown_error";
    if (TRANSIENT_ERRORS.has(error))
      return new SlackCallError({ kind: "transient", message: `Slack: ${error}` }, { cause: err });
    return new SlackCallError({ kind: "platform", error, message: `Slack: ${error}` }, { cause: err });
  }
  if (e.code === ErrorCode.HTTPError && e.statusCode !== undefined && e.statusCode < 500) {
    return new SlackCallError({ kind: "platform", error: `http_${e.statusCode}`, message }, { cause: err });
  }
  return new SlackCallError({ kind: "transient", message }, { cause: err });
}
