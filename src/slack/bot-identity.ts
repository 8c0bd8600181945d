import type { Logger } from "pino";
import { AUTH_ERRORS, SlackCallError } from "./transport.js";
import type { SlackTransport } from "./transport.js";

/** Who the bot is in its workspace, as Bolt's `authorize` hands it to every listener. */
export interface BotAuthorization {
  botToken: string;
  botId?: string;
  botUserId?: string;
  teamId?: string;
}

/**
 * The bot's identity, resolved with `auth.test` once at start-up (and again when Slack
 * says the token is revoked or invalid), then served from memory: Bolt's `authorize` must
 * not call Slack on every request (Slack rate-limits auth.test, and a slow Slack would
 * cost every ack). Until the first answer, listeners run with the token alone.
 */
export interface BotIdentity {
  /** What Bolt's authorize returns: never a Slack call. */
  authorization(): BotAuthorization;
  /** Asks Slack now (start-up, and after `invalidate`); retries in the background until it answers. */
  resolve(): Promise<void>;
  /** Slack said the token is revoked or invalid: ask again, in the background. */
  invalidate(): void;
  stop(): void;
}

export function createBotIdentity(o: { slack: SlackTransport; token: string; log: Logger }): BotIdentity {
  let known: BotAuthorization = { botToken: o.token };
  let retry: NodeJS.Timeout | null = null;
  let resolving: Promise<void> | null = null;
  let stopped = false;
  let delay = 1_000;
  const schedule = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void resolve();
    }, delay);
    retry.unref();
    delay = Math.min(delay * 2, 60_000);
  };
  const resolve = (): Promise<void> => {
    resolving ??= (async () => {
      try {
        const res = await o.slack.call("auth.test", {});
        known = {
          botToken: o.token,
          ...(typeof res.bot_id === "string" ? { botId: res.bot_id } : {}),
          ...(typeof res.user_id === "string" ? { botUserId: res.user_id } : {}),
          ...(typeof res.team_id === "string" ? { teamId: res.team_id } : {}),
        };
        delay = 1_000;
        o.log.info({ botUserId: known.botUserId, teamId: known.teamId }, "slack bot identity resolved");
      } catch (err) {
        const platform =
          err instanceof SlackCallError && err.failure.kind === "platform" ? err.failure.error : null;
        o.log.warn(
          { err },
          platform && AUTH_ERRORS.has(platform)
            ? "SLACK_BOT_TOKEN was refused by Slack (auth.test): check the token; retrying"
            : "cannot resolve the bot's identity with auth.test yet; retrying in the background",
        );
        schedule();
      } finally {
        resolving = null;
      }
    })();
    return resolving;
  };
  return {
    authorization: () => known,
    resolve,
    invalidate() {
      delay = 1_000;
      void resolve();
    },
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = null;
    },
  };
}
