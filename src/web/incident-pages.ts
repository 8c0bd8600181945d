import express, { Router } from "express";
import type { Request, Response } from "express";
import type pg from "pg";
import type { FirebreakConfig } from "../config.js";
import { isSeverity } from "../core/incident/severity.js";
import { displayName } from "../core/people.js";
import type { Clock, PeopleDirectory } from "../core/ports.js";
import type { EventTag } from "../core/postmortem/index.js";
import {
  EVENT_TAGS,
  describeTimeline,
  draftPostmortem,
  postmortemToMarkdown,
} from "../core/postmortem/index.js";
import { describeBreak, verifyChain } from "../core/timeline/event-hash.js";
import { timelineToJson, timelineToMarkdown } from "../core/timeline/export.js";
import { setFollowUpState } from "../incidents/follow-ups.js";
import type { FollowUpDeps } from "../incidents/follow-ups.js";
import { listFollowUps } from "../store/follow-ups/follow-ups.js";
import { getIncident, listIncidents } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { listTimeline } from "../store/timeline/timeline-events.js";
import type { TimelineEvent } from "../store/timeline/timeline-events.js";
import { listDeliveries, listRecentDeliveries } from "../store/deliveries/page-deliveries.js";
import type { WebAccessOptions } from "./access.js";
import { deliveryView } from "./delivery-views.js";
import { requireWebAccess } from "./access.js";
import { escapeHtml, layout, raw } from "./html.js";
import { renderIncidentList, renderIncidentPage } from "./incident-views.js";
import { renderHeartbeatsSection, renderWindowsSection } from "./intake-views.js";
import { sendPage } from "./send.js";
import { listMaintenanceWindows } from "../alerts/maintenance-windows.js";
import { listHeartbeats } from "../store/heartbeats/heartbeats.js";

/** What the incident pages read, and the follow-up use-case their tick buttons call. */
export interface IncidentPagesDeps {
  pool: pg.Pool;
  clock: Clock;
  config: Pick<FirebreakConfig, "severities" | "timezone" | "intake">;
  access: WebAccessOptions;
  people: PeopleDirectory;
  followUps: FollowUpDeps;
}

/**
 * The incident pages: GET /incidents, /incidents/:id (the timeline in sentences with the
 * audit chain verified, follow-ups, postmortem draft), /incidents/:id/timeline.md|.json,
 * /postmortem.md, and POST /incidents/:id/follow-ups/:number (tick one off, or reopen it).
 */
export function incidentPagesRouter(deps: IncidentPagesDeps): Router {
  const router = Router();
  router.use("/incidents", requireWebAccess(deps.access));
  router.get("/incidents", async (req, res) => {
    const service =
      typeof req.query.service === "string" && req.query.service ? req.query.service : undefined;
    const now = deps.clock.now();
    const [incidents, windows, heartbeats] = await Promise.all([
      listIncidents(deps.pool, { limit: 200, ...(service ? { service } : {}) }),
      listMaintenanceWindows(deps),
      listHeartbeats(deps.pool),
    ]);
    const people = await deps.people.lookup(incidents.flatMap((i) => (i.commander ? [i.commander] : [])));
    sendPage(
      res,
      "text/html",
      renderIncidentList(incidents, now, {
        ...(service ? { service } : {}),
        sections: [
          renderWindowsSection(windows, now),
          renderHeartbeatsSection(deps.config.intake.heartbeats, heartbeats),
        ],
        nameOf: (id) => displayName(id, people),
      }),
    );
  });
  // Registered before /incidents/:id: the latest page deliveries, for the local console.
  router.get("/incidents/pages.json", async (_req, res) => {
    const list = await listRecentDeliveries(deps.pool, 100);
    sendPage(res, "application/json", JSON.stringify({ deliveries: list.map(deliveryView) }));
  });
  router.get("/incidents/:id", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    const { incident, events, followUps, nameOf } = found;
    const show: EventTag | undefined = EVENT_TAGS.find((t) => t === req.query.show);
    const now = deps.clock.now();
    sendPage(
      res,
      "text/html",
      renderIncidentPage({
        incident,
        described: describeTimeline(events, nameOf),
        chainBreak: verifyChain(events),
        postmortem: draftPostmortem(incident, events, draftOptions(deps, found, now)),
        followUps,
        nameOf,
        ...(show ? { show } : {}),
        timeZone: deps.config.timezone,
        now,
        deliveries: await listDeliveries(deps.pool, incident.id),
      }),
    );
  });
  router.get("/incidents/:id/timeline.md", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    const problem = verifyChain(found.events);
    const verified = problem
      ? `BROKEN — ${describeBreak(problem)}`
      : `verified (${found.events.length} events)`;
    sendPage(res, "text/markdown", timelineToMarkdown(found.incident, found.events, verified, found.nameOf));
  });
  router.get("/incidents/:id/timeline.json", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    sendPage(
      res,
      "application/json",
      timelineToJson(found.incident, found.events, !verifyChain(found.events)),
    );
  });
  router.get("/incidents/:id/postmortem.md", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    const draft = draftPostmortem(found.incident, found.events, draftOptions(deps, found, deps.clock.now()));
    sendPage(res, "text/markdown", postmortemToMarkdown(draft));
  });
  router.post(
    "/incidents/:id/follow-ups/:number",
    express.urlencoded({ extended: false, limit: "2kb" }),
    async (req: Request, res: Response) => {
      if (!sameOrigin(req))
        return problem(res, 403, "Ticking follow-ups works from Firebreak's own incident page only.");
      const incidentId = Number(req.params.id);
      const number = Number(req.params.number);
      const done = (req.body as Record<string, unknown> | undefined)?.done;
      if (!Number.isSafeInteger(incidentId) || incidentId < 1 || !Number.isSafeInteger(number) || number < 1)
        return problem(
          res,
          404,
          `There is no follow-up ${String(req.params.number)} on incident ${String(req.params.id)}.`,
        );
      if (done !== "1" && done !== "0")
        return problem(res, 400, 'done: send "1" to tick the follow-up off or "0" to reopen it.');
      const outcome = await setFollowUpState(deps.followUps, {
        incidentId,
        number,
        actor: `web:${String(res.locals.webReader ?? "local")}`,
        done: done === "1",
        via: "web",
      });
      if (outcome.status === "refused") return problem(res, 404, outcome.message, incidentId);
      res.redirect(303, `/incidents/${incidentId}#follow-ups`);
    },
  );
  return router;
}

// A browser posting from another site says so (Sec-Fetch-Site, Origin): refuse it, since a
// reader's saved credentials would otherwise tick follow-ups on a stranger's behalf.
function sameOrigin(req: Request): boolean {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin" || site === "none";
  const origin = req.headers.origin;
  if (typeof origin !== "string") return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function problem(res: Response, status: number, message: string, incidentId?: number): void {
  res.status(status);
  sendPage(
    res,
    "text/html",
    layout(
      "Not done",
      raw(
        `<p class="problem" role="alert">${escapeHtml(message)}</p><p><a href="/incidents${incidentId ? `/${incidentId}` : ""}">Back</a></p>`,
      ),
    ),
  );
}

interface Loaded {
  incident: Incident;
  events: TimelineEvent[];
  followUps: Awaited<ReturnType<typeof listFollowUps>>;
  nameOf: (id: string) => string;
}

function draftOptions(deps: IncidentPagesDeps, found: Loaded, now: Date) {
  const i = found.incident;
  const policy = isSeverity(i.severity) ? deps.config.severities[i.severity] : undefined;
  return {
    now,
    nameOf: found.nameOf,
    timeZone: deps.config.timezone,
    followUps: found.followUps,
    ...(policy ? { responseTargetMs: policy.responseTargetMs } : {}),
  };
}

/** Every user id an incident mentions: actors, roles, paged and named people, follow-up authors. */
function peopleIn(
  incident: Incident,
  events: readonly TimelineEvent[],
  followUps: Loaded["followUps"],
): string[] {
  const ids = new Set<string>([
    incident.declaredBy,
    ...[incident.commander, incident.acknowledgedBy, incident.resolvedBy].filter((x): x is string => !!x),
  ]);
  for (const e of events) {
    ids.add(e.actor);
    const d = (typeof e.data === "object" && e.data ? e.data : {}) as Record<string, unknown>;
    const users: unknown[] = Array.isArray(d.users) ? (d.users as unknown[]) : [];
    for (const v of [d.user, d.commander, d.previous, ...users]) if (typeof v === "string") ids.add(v);
    if (typeof d.text === "string") for (const m of d.text.matchAll(/<@([UW][A-Z0-9]+)/g)) ids.add(m[1]!);
  }
  for (const f of followUps) for (const v of [f.createdBy, f.doneBy]) if (v) ids.add(v);
  return [...ids];
}

async function load(deps: IncidentPagesDeps, req: Request, res: Response): Promise<Loaded | null> {
  const id = Number(req.params.id);
  const incident = Number.isSafeInteger(id) && id > 0 ? await getIncident(deps.pool, id) : null;
  if (!incident) {
    const text = `There is no incident ${String(req.params.id)}.`;
    res.status(404);
    sendPage(
      res,
      "text/html",
      layout("Not found", raw(`<p>${escapeHtml(text)} <a href="/incidents">All incidents</a></p>`)),
    );
    return null;
  }
  const [events, followUps] = await Promise.all([listTimeline(deps.pool, id), listFollowUps(deps.pool, id)]);
  const people = await deps.people.lookup(peopleIn(incident, events, followUps));
  return { incident, events, followUps, nameOf: (uid) => displayName(uid, people) };
}
