import { Router } from "express";
import type { Request, Response } from "express";
import { chartCsv } from "../core/insights/chart.js";
import { parseInsightsQuery } from "../core/insights/filter.js";
import type { Clock } from "../core/ports.js";
import { readInsights } from "../insights/read-insights.js";
import type { InsightsDeps } from "../insights/read-insights.js";
import type { WebAccessOptions } from "./access.js";
import { requireWebAccess } from "./access.js";
import { renderInsightsPage, renderInsightsProblem } from "./insights-view.js";
import { sendPage } from "./send.js";

/** What the insights pages need. */
export interface InsightsPagesDeps extends InsightsDeps {
  clock: Clock;
  /** The config's time zone: weeks start on its Mondays. */
  timeZone: string;
  access: WebAccessOptions;
  /** Service names, when services exist (the filter offers them). */
  services?: () => readonly string[];
}

type Query = Record<string, string | string[] | undefined>;

/**
 * GET /insights (the charts, filtered by time range, severity, source and service) and
 * GET /insights/<chart>.csv (one chart's table). Same access rules as /incidents.
 */
export function insightsRouter(deps: InsightsPagesDeps): Router {
  const router = Router();
  router.use("/insights", requireWebAccess(deps.access));
  const services = () => deps.services?.() ?? [];
  const parse = (req: Request) =>
    parseInsightsQuery(req.query as Query, {
      now: deps.clock.now(),
      timeZone: deps.timeZone,
      services: services(),
    });

  router.get("/insights", async (req, res) => {
    const parsed = parse(req);
    if (!parsed.ok) {
      const q = req.query as Query;
      const list = (v: unknown) =>
        Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(",") : [];
      res.status(400);
      sendPage(
        res,
        "text/html",
        renderInsightsProblem(
          parsed.problem,
          {
            from: String(q.from ?? ""),
            to: String(q.to ?? ""),
            severities: list(q.severity),
            source: String(q.source ?? ""),
            service: String(q.service ?? ""),
          },
          services(),
        ),
      );
      return;
    }
    sendPage(res, "text/html", renderInsightsPage(await readInsights(deps, parsed.filter), services()));
  });

  router.get("/insights/:chart.csv", async (req: Request, res: Response) => {
    const parsed = parse(req);
    if (!parsed.ok) {
      res.status(400).type("text/plain").send(`${parsed.problem.field}: ${parsed.problem.message}\n`);
      return;
    }
    const insights = await readInsights(deps, parsed.filter);
    const chart = insights.charts.find((c) => c.id === req.params.chart);
    if (!chart) {
      res
        .status(404)
        .type("text/plain")
        .send(
          `There is no chart "${String(req.params.chart)}": use one of ${insights.charts.map((c) => c.id).join(", ")}.\n`,
        );
      return;
    }
    res.setHeader(
      "Content-Disposition",
      `attachment; filename="firebreak-${chart.id}-${parsed.filter.fromDay}-${parsed.filter.toDay}.csv"`,
    );
    sendPage(res, "text/csv", chartCsv(chart));
  });
  return router;
}
