import { Router } from "express";
import type { NextFunction, Request, Response } from "express";
import { verifyAckToken } from "../core/notify/signed-tokens.js";
import type { AckTokenClaims } from "../core/notify/signed-tokens.js";
import { formatInTimeZone } from "../core/time-format.js";
import { answerPages } from "../paging/answer-pages.js";
import type { PageAnswerDeps } from "../paging/answer-pages.js";
import { getPageAck } from "../store/escalations/page-acks.js";
import type { PageAck } from "../store/escalations/page-acks.js";
import { getIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { getSigningKey } from "../store/links/signing-keys.js";
import { html, layout } from "./html.js";

/** What the ack links need. */
export interface AckRouteDeps extends PageAnswerDeps {
  timeZone: string;
}

function page(res: Response, status: number, title: string, body: ReturnType<typeof html>): void {
  // The token is a capability: keep it out of caches, search engines and Referer headers.
  res
    .status(status)
    .set({ "cache-control": "no-store", "x-robots-tag": "noindex", "referrer-policy": "no-referrer" })
    .type("text/html")
    .send(layout(title, body));
}

function describe(incident: Incident) {
  return html`<h1>
      Incident #${incident.id} <span class="sev sev-${incident.severity}">${incident.severity}</span>
    </h1>
    <p>${incident.title}</p>
    <p class="muted">State: ${incident.state}</p>`;
}

function answeredText(ack: PageAck, zone: string): string {
  const via = ack.answeredVia ?? "another way";
  const when = ack.answeredAt ? formatInTimeZone(ack.answeredAt, zone, "EEE d MMM HH:mm") : "";
  return `This page was already answered (${via}, ${when} ${zone}). The link works once.`;
}

type Checked = { claims: AckTokenClaims; ack: PageAck; incident: Incident };

/** Verifies the token; answers 404 (not Firebreak's), 410 (expired) itself. */
async function check(deps: AckRouteDeps, req: Request, res: Response): Promise<Checked | null> {
  const token = String(req.params.token ?? "");
  const key = await getSigningKey(deps.paging.pool);
  const verified = verifyAckToken(key, token, deps.paging.clock.now());
  if (!verified.ok) {
    if (verified.problem === "expired")
      page(
        res,
        410,
        "Link expired",
        html`<h1>This link has expired</h1>
          <p>Acknowledge in Slack, or reply to the SMS.</p>`,
      );
    else page(res, 404, "Not a link", html`<h1>This is not a Firebreak acknowledge link</h1>`);
    return null;
  }
  const ack = await getPageAck(deps.paging.pool, verified.claims.pageId);
  const incident = ack ? await getIncident(deps.paging.pool, ack.incidentId) : null;
  if (!ack || !incident || ack.ackNonce !== verified.claims.nonce) {
    page(res, 404, "Not a link", html`<h1>This is not a Firebreak acknowledge link</h1>`);
    return null;
  }
  return { claims: verified.claims, ack, incident };
}

/**
 * `GET /ack/<token>` shows the incident and a button; the button's `POST /ack/<token>`
 * acknowledges it as the paged person (link-preview bots only ever GET). Each page's links
 * work once: a second use answers 410 and changes nothing.
 */
export function ackRouter(deps: AckRouteDeps): Router {
  const router = Router();
  router.get("/ack/:token", async (req, res) => {
    const found = await check(deps, req, res);
    if (!found) return;
    if (found.ack.answeredAt)
      return page(
        res,
        410,
        "Already answered",
        html`${describe(found.incident)}
          <p>${answeredText(found.ack, deps.timeZone)}</p>`,
      );
    page(
      res,
      200,
      `Acknowledge #${found.incident.id}`,
      html`${describe(found.incident)}
        <form method="post" action="/ack/${String(req.params.token)}">
          <button type="submit" style="font-size:18px;padding:10px 24px">
            Acknowledge incident #${found.incident.id}
          </button>
        </form>
        <p class="muted">
          You were paged (code ${found.ack.ackCode ?? ""}). Acknowledging stops the paging.
        </p>`,
    );
  });
  router.post("/ack/:token", async (req, res) => {
    const found = await check(deps, req, res);
    if (!found) return;
    const result = await answerPages(deps, {
      pageIds: [found.ack.pageId],
      answer: "ack",
      via: found.claims.via,
      nonce: found.claims.nonce,
    });
    if (result.kind !== "answered") {
      const ack = (await getPageAck(deps.paging.pool, found.ack.pageId)) ?? found.ack;
      return page(
        res,
        410,
        "Already answered",
        html`${describe(found.incident)}
          <p>${answeredText(ack, deps.timeZone)}</p>`,
      );
    }
    const outcome = result.outcomes[0]?.outcome;
    if (outcome?.status === "refused")
      return page(
        res,
        403,
        "Refused",
        html`${describe(found.incident)}
          <p>${outcome.message}</p>`,
      );
    const incident = outcome?.incident ?? found.incident;
    page(
      res,
      200,
      `Acknowledged #${incident.id}`,
      html`${describe(incident)}
        <p class="ok">
          ${outcome?.status === "unchanged" ? outcome.message : "Acknowledged. Paging has stopped."}
        </p>`,
    );
  });
  router.use("/ack", (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.paging.log.error({ err }, "ack link failed");
    page(
      res,
      503,
      "Try again",
      html`<h1>Firebreak cannot record that right now</h1>
        <p>Try again, or acknowledge in Slack.</p>`,
    );
  });
  return router;
}
