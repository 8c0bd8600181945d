import { createHash } from "node:crypto";
import type { AnyMiddlewareArgs, App, Context, Middleware } from "@slack/bolt";
import type pg from "pg";
import type { Logger } from "pino";
import { FirebreakError } from "../core/errors.js";
import {
  claimPendingInbound,
  finishInbound,
  journalInbound,
  noteInboundError,
  purgeFinishedInbound,
} from "../store/inbound/inbound-journal.js";
import { UNAVAILABLE_REPLY } from "./reply.js";
import type { SlackTransport } from "./transport.js";

/** Slack keeps a `response_url` for 30 minutes: past that, nobody can be told, so replays stop. */
const REPLAY_FOR_MS = 30 * 60_000;
/** A request that fails this often for another reason than the database is a bug: stop. */
const MAX_ATTEMPTS = 10;
/** How long after receipt a pending request is taken to have lost its first run. */
const REPLAY_AFTER_MS = 5_000;
const JOURNAL_TIMEOUT_MS = 2_000;
const KEEP_FINISHED_MS = 86_400_000;

/** What a listener learns from the context about the request it handles. */
export interface InboundContext {
  /** The journal row of this request (absent when journaling is off). */
  inboundId?: number;
  /** True when the replayer is re-running it after its first run failed. */
  inboundReplay?: boolean;
}

/** Thrown by a listener whose work failed in a way worth replaying (the database did not answer). */
export class DeferredRequestError extends Error {
  override readonly name = "DeferredRequestError";
}

/** The journal's view of a request: how it is keyed and what kind it is. */
function describe(body: Record<string, unknown>): { key: string; kind: string } {
  const kind =
    typeof body.command === "string"
      ? `command ${body.command}`
      : typeof body.type === "string"
        ? body.type
        : "request";
  return { key: createHash("sha256").update(JSON.stringify(body)).digest("hex"), kind };
}

/** Rejects once `ms` has passed: a journal write that cannot finish in time must not cost the 3-second ack. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Bolt middleware, first in line: writes every Slack request to the journal before any
 * listener acknowledges it. When Postgres cannot take it, nothing is accepted: a slash
 * command's ack says that nothing changed, and a click or form is not acknowledged (Slack
 * shows the person it failed).
 * After the listeners ran, the request is marked done; a listener that deferred its work
 * (DeferredRequestError) leaves it pending for the replayer.
 */
export function inboundJournal(deps: { pool: pg.Pool; log: Logger }): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const context = args.context as Context & InboundContext;
    const body = args.body as unknown as Record<string, unknown>;
    // Events API callbacks are acked by Bolt before middleware runs; replays are journaled already.
    if (context.inboundReplay || !("ack" in args)) return args.next();
    const { key, kind } = describe(body);
    let journaled: { id: number; status: string };
    try {
      journaled = await within(journalInbound(deps.pool, { key, kind, payload: body }), JOURNAL_TIMEOUT_MS);
    } catch (err) {
      deps.log.warn({ err, kind }, "cannot journal a Slack request; it is refused");
      // A slash command is answered in its ack: nothing changed, and the person reads why.
      if (typeof body.command === "string")
        return void (await (args as { ack: (r?: unknown) => Promise<void> }).ack({
          response_type: "ephemeral",
          text: UNAVAILABLE_REPLY.text,
        }));
      // A click or a form cannot carry a message in its ack: it is not acknowledged at all.
      throw new FirebreakError("dependency_unavailable", "Firebreak's database did not take the request.", {
        cause: err,
      });
    }
    const id = journaled.id;
    if (journaled.status === "done") {
      // The same payload again (a redelivery) after its first copy was done.
      await (args as { ack: (r?: unknown) => Promise<void> }).ack();
      return;
    }
    // New, or a redelivery of a copy that did not finish: run it (the use-cases' request
    // keys make a second run of work already done change nothing).
    context.inboundId = id;
    try {
      await args.next();
    } catch (err) {
      // Pending: a redelivery or the replayer runs it again.
      await noteInboundError(deps.pool, id, String(err)).catch(() => undefined);
      if (!isDeferred(err)) throw err;
      return;
    }
    await finishInbound(deps.pool, id, { status: "done" }).catch((err: unknown) =>
      // Left pending: a replay finds it done (the use-cases' request keys) and marks it.
      deps.log.warn({ err, inbound: id }, "cannot mark a Slack request done; it will be replayed"),
    );
  };
}

/** Bolt aggregates listener errors; a deferral may be one of several. */
function isDeferred(err: unknown): boolean {
  if (err instanceof DeferredRequestError) return true;
  const errors = (err as { originals?: unknown[] } | null)?.originals;
  return Array.isArray(errors) && errors.some((e) => e instanceof DeferredRequestError);
}

/**
 * One pass of the `inbound-replayer` job (web processes): re-runs, through the same Bolt
 * listeners, the requests whose work failed after they were acknowledged. A request still
 * failing after the 30 minutes its `response_url` lives is given up, and its requester told.
 */
export function inboundReplayer(deps: {
  app: App;
  pool: pg.Pool;
  slack: SlackTransport;
  log: Logger;
  now: () => Date;
}): () => Promise<number> {
  return async () => {
    await purgeFinishedInbound(deps.pool, KEEP_FINISHED_MS);
    const due = await claimPendingInbound(deps.pool, {
      olderThanMs: REPLAY_AFTER_MS,
      leaseMs: 30_000,
      limit: 20,
    });
    for (const request of due) {
      const log = deps.log.child({ inbound: request.id, kind: request.kind, attempt: request.attempts });
      const expired =
        deps.now().getTime() - request.receivedAt.getTime() > REPLAY_FOR_MS ||
        request.attempts > MAX_ATTEMPTS;
      if (expired) {
        await finishInbound(deps.pool, request.id, { status: "failed", error: "gave up" });
        await tellGaveUp(deps.slack, request.payload).catch(() => undefined);
        log.error("a Slack request could not be applied; its requester was told");
        continue;
      }
      try {
        await deps.app.processEvent({
          body: request.payload,
          ack: async () => undefined,
          retryNum: request.attempts,
          retryReason: "firebreak_replay",
          customProperties: { inboundReplay: true, inboundId: request.id },
        });
        await finishInbound(deps.pool, request.id, { status: "done" });
        log.info("replayed a Slack request whose first run failed");
      } catch (err) {
        await noteInboundError(deps.pool, request.id, String(err)).catch(() => undefined);
        if (!isDeferred(err)) log.warn({ err }, "a replayed Slack request failed; it is tried again");
      }
    }
    return due.length;
  };
}

/** The requester's `response_url`, if the request has one. */
function responseUrlOf(payload: Record<string, unknown>): string | undefined {
  const url =
    payload.response_url ??
    (payload.response_urls as { response_url?: string }[] | undefined)?.[0]?.response_url;
  return typeof url === "string" ? url : undefined;
}

async function tellGaveUp(slack: SlackTransport, payload: Record<string, unknown>): Promise<void> {
  const url = responseUrlOf(payload);
  if (!url) return;
  await slack.respond(url, {
    response_type: "ephemeral",
    replace_original: false,
    text: ":warning: Firebreak could not apply your request after trying for a while, so nothing changed. Please try again; if it fails again, check Firebreak's /readyz and logs.",
  });
}
