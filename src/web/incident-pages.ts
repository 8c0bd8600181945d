import { Router } from "express";
import type { Request, Response } from "express";
import type pg from "pg";
import type { FirebreakConfig } from "../config.js";
import { isSeverity } from "../core/incident/severity.js";
import type { Clock } from "../core/ports.js";
import { draftPostmortem, postmortemToMarkdown } from "../core/postmortem/index.js";
import { describeBreak, verifyChain } from "../core/timeline/event-hash.js";
import { timelineToJson, timelineToMarkdown } from "../core/timeline/export.js";
import { getIncident, listIncidents } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { listTimeline } from "../store/timeline/timeline-events.js";
import type { WebAccessOptions } from "./access.js";
import { requireWebAccess } from "./access.js";
import { escapeHtml, layout, raw } from "./html.js";
import { renderIncidentList, renderIncidentPage } from "./incident-views.js";
import { renderHeartbeatsSection, renderWindowsSection } from "./intake-views.js";
import { listMaintenanceWindows } from "../alerts/maintenance-windows.js";
import { listHeartbeats } from "../store/heartbeats/heartbeats.js";

/** What the incident pages read. */
export interface IncidentPagesDeps {
  pool: pg.Pool;
  clock: Clock;
  config: Pick<FirebreakConfig, "severities" | "intake">;
  access: WebAccessOptions;
}

/**
 * Read-only incident pages: GET /incidents, /incidents/:id (timeline with the audit chain
 * verified, postmortem draft), /incidents/:id/timeline.md|.json and /postmortem.md.
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
    send(
      res,
      "text/html",
      renderIncidentList(incidents, now, {
        ...(service ? { service } : {}),
        sections: [
          renderWindowsSection(windows, now),
          renderHeartbeatsSection(deps.config.intake.heartbeats, heartbeats),
        ],
      }),
    );
  });
  router.get("/incidents/:id", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    const { incident, events } = found;
    const now = deps.clock.now();
    send(
      res,
      "text/html",
      renderIncidentPage({
        incident,
        events,
        chainBreak: verifyChain(events),
        postmortem: draftPostmortem(incident, events, { now, ...responseTarget(deps, incident) }),
        now,
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
    send(res, "text/markdown", timelineToMarkdown(found.incident, found.events, verified));
  });
  router.get("/incidents/:id/timeline.json", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    send(res, "application/json", timelineToJson(found.incident, found.events, !verifyChain(found.events)));
  });
  router.get("/incidents/:id/postmortem.md", async (req, res) => {
    const found = await load(deps, req, res);
    if (!found) return;
    const draft = draftPostmortem(found.incident, found.events, {
      now: deps.clock.now(),
      ...responseTarget(deps, found.incident),
    });
    send(res, "text/markdown", postmortemToMarkdown(draft));
  });
  return router;
}

function responseTarget(deps: IncidentPagesDeps, incident: Incident): { responseTargetMs?: number } {
  const policy = isSeverity(incident.severity) ? deps.config.severities[incident.severity] : undefined;
  return policy ? { responseTargetMs: policy.responseTargetMs } : {};
}

async function load(deps: IncidentPagesDeps, req: Request, res: Response) {
  const id = Number(req.params.id);
  const incident = Number.isSafeInteger(id) && id > 0 ? await getIncident(deps.pool, id) : null;
  if (!incident) {
    const text = `There is no incident ${String(req.params.id)}.`;
    res
      .status(404)
      .type("text/html")
      .send(layout("Not found", raw(`<p>${escapeHtml(text)} <a href="/incidents">All incidents</a></p>`)));
    return null;
  }
  return { incident, events: await listTimeline(deps.pool, id) };
}

function send(res: Response, type: string, body: string): void {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
  res.type(`${type}; charset=utf-8`).send(body);
}
