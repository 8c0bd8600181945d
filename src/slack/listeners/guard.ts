import type { Logger } from "pino";
import type pg from "pg";
import { FirebreakError } from "../../core/errors.js";
import { DeferredRequestError } from "../inbound-journal.js";
import type { InboundContext } from "../inbound-journal.js";
import { UNAVAILABLE_REPLY, sendReply } from "../reply.js";
import type { Reply } from "../reply.js";
import type { SlackTransport } from "../transport.js";

/** What a request's person is told when its work is saved for later. */
export const DEFERRED_REPLY: Reply = {
  text: ":hourglass_flowing_sand: Firebreak's database did not answer just now. Your request is saved and will be applied as soon as it does; the answer will come here.",
};

/**
 * Runs a listener's work after the ack. A refusal we can explain (bad input, a missing
 * permission) is told to the person. A failure of the database (or a bug) is not lost:
 * a journaled request is deferred — the person is told it will be applied, and the
 * replayer re-runs it — and only an unjournaled one gets "nothing changed".
 */
export async function guarded(
  deps: { pool: pg.Pool; slack: SlackTransport; log: Logger; redact?: (text: string) => string },
  req: { responseUrl: string | undefined; context: object; what: string },
  fn: () => Promise<unknown>,
): Promise<void> {
  const inbound = req.context as InboundContext;
  try {
    await fn();
  } catch (err) {
    const fe = err instanceof FirebreakError ? err : null;
    const redact = deps.redact ?? ((t: string) => t);
    if (fe && fe.code !== "internal" && fe.code !== "dependency_unavailable") {
      await sendReply(deps, req.responseUrl, { text: `:warning: ${redact(fe.message)}` });
      return;
    }
    deps.log.error(
      { err: fe ? { code: fe.code, message: redact(fe.message) } : err, inbound: inbound.inboundId },
      `${req.what} failed after ack`,
    );
    if (inbound.inboundId !== undefined) {
      // Told once, on the first run; a replay that fails again stays quiet until it works or gives up.
      if (!inbound.inboundReplay) await sendReply(deps, req.responseUrl, DEFERRED_REPLY);
      throw new DeferredRequestError(`${req.what} deferred`, { cause: err });
    }
    await sendReply(deps, req.responseUrl, UNAVAILABLE_REPLY);
  }
}
