import { createHash } from "node:crypto";
import express, { Router } from "express";
import type { NextFunction, Request, Response } from "express";
import type pg from "pg";
import type { Logger } from "pino";
import type { PhoneAnswerDeps } from "../paging/phone-answers.js";
import { answerCall, answerSms, callScript, recordProviderStatus } from "../paging/phone-answers.js";
import { voiceUrl } from "../paging/render-delivery.js";
import { gatherTwiml, messagingTwiml, sayTwiml, twilioSignatureValid } from "../providers/twilio.js";
import { rememberSignedRequest, signedRequestSeen } from "../store/links/signing-keys.js";
import { withTransaction } from "../store/pool.js";

/** What the Twilio doors need. */
export interface TwilioRouteDeps {
  answers: PhoneAnswerDeps;
  /** TWILIO_AUTH_TOKEN, which signs every request; unset: the doors answer 404. */
  authToken?: string;
  /** FIREBREAK_PUBLIC_URL: what Twilio requested, and so what it signed. */
  publicUrl?: string;
  log: Logger;
}

/** The replay check of one signed request: remembered in the transaction that acts on it. */
interface Replay {
  guard: (tx: pg.PoolClient) => Promise<boolean>;
  /** Remembers the request if the use-case did not (it changed nothing). */
  settle(): Promise<void>;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function params(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
    if (typeof v === "string") out[k] = v;
  return out;
}

function twiml(res: Response, xml: string): void {
  res.status(200).type("text/xml").send(xml);
}

function deliveryOf(req: Request): number | null {
  const n = Number(req.query.delivery);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * `POST /twilio/sms` (replies to pages), `/twilio/voice` (a paging call's script and its
 * key presses), `/twilio/status` (what became of a call or SMS). Every request must carry
 * a valid X-Twilio-Signature over FIREBREAK_PUBLIC_URL + its path and its parameters, and
 * must not have been acted on before: otherwise 403, and nothing changes.
 */
export function twilioRouter(deps: TwilioRouteDeps): Router {
  const router = Router();
  const { pool, clock } = deps.answers.paging;
  router.use("/twilio", (req, res, next) => {
    if (!deps.authToken || !deps.publicUrl) {
      res.status(404).type("text/plain").send("Twilio is not set up on this Firebreak (TWILIO_*).\n");
      return;
    }
    // No signature, no reading of the body.
    if (!req.get("x-twilio-signature")) {
      res.status(403).type("text/plain").send("Missing X-Twilio-Signature.\n");
      return;
    }
    next();
  });
  router.use("/twilio", express.urlencoded({ extended: false, limit: "64kb", parameterLimit: 100 }));
  router.use("/twilio", (req, res, next) => {
    void (async () => {
      const signature = req.get("x-twilio-signature")!;
      const url = `${deps.publicUrl}${req.originalUrl}`;
      if (!(await twilioSignatureValid(deps.authToken!, signature, url, params(req)))) {
        deps.log.warn({ path: req.path }, "twilio: refused a request with a bad signature");
        res.status(403).type("text/plain").send("Bad X-Twilio-Signature.\n");
        return;
      }
      const key = sha256(signature);
      if (await signedRequestSeen(pool, key)) {
        deps.log.warn({ path: req.path }, "twilio: refused a replayed request");
        res.status(403).type("text/plain").send("This request was already handled.\n");
        return;
      }
      let used = false;
      const replay: Replay = {
        guard: async (tx) => {
          used = true;
          return rememberSignedRequest(tx, key, clock.now());
        },
        settle: async () => {
          if (!used) await withTransaction(pool, (tx) => rememberSignedRequest(tx, key, clock.now()));
        },
      };
      res.locals.replay = replay;
      next();
    })().catch(next);
  });

  router.post("/twilio/sms", async (req, res) => {
    const replay = res.locals.replay as Replay;
    const p = params(req);
    const reply = await answerSms(deps.answers, {
      from: p.From ?? "",
      body: p.Body ?? "",
      guard: replay.guard,
    });
    if (!reply) return void res.status(403).type("text/plain").send("This request was already handled.\n");
    await replay.settle();
    twiml(res, await messagingTwiml(reply));
  });

  router.post("/twilio/voice", async (req, res) => {
    const replay = res.locals.replay as Replay;
    const deliveryId = deliveryOf(req);
    const digits = params(req).Digits;
    if (deliveryId === null) {
      await replay.settle();
      return void twiml(res, await sayTwiml("This call is not from a Firebreak page. Goodbye."));
    }
    const action = voiceUrl(deps.publicUrl!, deliveryId);
    if (digits === undefined) {
      await replay.settle();
      const script = await callScript(deps.answers, deliveryId);
      return void twiml(
        res,
        script
          ? await gatherTwiml({ ...script, action })
          : await sayTwiml("This page was already answered. Goodbye."),
      );
    }
    const answer = await answerCall(deps.answers, { deliveryId, digits, guard: replay.guard });
    if (answer.replayed)
      return void res.status(403).type("text/plain").send("This request was already handled.\n");
    await replay.settle();
    if (answer.again) {
      const script = await callScript(deps.answers, deliveryId);
      if (script)
        return void twiml(
          res,
          await gatherTwiml({ ...script, message: `${answer.say} ${script.message}`, action }),
        );
    }
    twiml(res, await sayTwiml(answer.say));
  });

  router.post("/twilio/status", async (req, res) => {
    const replay = res.locals.replay as Replay;
    const deliveryId = deliveryOf(req);
    const p = params(req);
    const status = p.CallStatus ?? p.MessageStatus ?? "";
    if (deliveryId === null || !status) {
      await replay.settle();
      return void res.status(204).end();
    }
    const out = await recordProviderStatus(deps.answers, { deliveryId, status, guard: replay.guard });
    if (out === "replayed")
      return void res.status(403).type("text/plain").send("This request was already handled.\n");
    res.status(204).end();
  });
  // Nothing was recorded: Twilio retries a 5xx (and the signature was not remembered).
  router.use("/twilio", (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.log.error({ err }, "twilio: could not handle a request");
    res.status(503).type("text/plain").send("Firebreak cannot record that right now.\n");
  });
  return router;
}
