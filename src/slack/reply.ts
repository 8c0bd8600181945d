import type { Logger } from "pino";
import type pg from "pg";
import { replyEphemeral } from "./notifiers/incident-notifier.js";
import { withTransaction } from "../store/pool.js";
import type { SlackTransport } from "./transport.js";

export interface Reply {
  text: string;
  blocks?: unknown[];
}

/**
 * Sends an ephemeral reply through the outbox; if Postgres cannot take it, straight to the
 * response URL, because telling the user what happened matters more than the record of it.
 */
export async function sendReply(
  deps: { pool: pg.Pool; slack: SlackTransport; log: Logger },
  responseUrl: string | undefined,
  reply: Reply,
  incidentId?: number,
): Promise<void> {
  if (!responseUrl) return;
  try {
    await withTransaction(deps.pool, (tx) => replyEphemeral(tx, responseUrl, reply, incidentId));
  } catch (err) {
    deps.log.warn({ err }, "outbox unavailable; replying directly");
    await deps.slack
      .respond(responseUrl, {
        response_type: "ephemeral",
        replace_original: false,
        text: reply.text,
        ...(reply.blocks ? { blocks: reply.blocks } : {}),
      })
      .catch((e: unknown) => deps.log.error({ err: e }, "could not reply to the user"));
  }
}

/** What to tell a user when a dependency failed mid-request. */
export const UNAVAILABLE_REPLY: Reply = {
  text: ":warning: Firebreak could not record that right now (its database is unreachable), so nothing changed. Try again in a minute; if it persists, check Firebreak's /readyz.",
};
