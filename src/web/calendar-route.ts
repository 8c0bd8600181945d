import { Router } from "express";
import type { NextFunction, Request, Response } from "express";
import type { PagingContext } from "../paging/context.js";
import { calendarFeed } from "../paging/calendar-feed.js";

/**
 * `GET /calendar/<token>.ics`: a person's or a schedule's shifts as an iCal feed (Google
 * Calendar, Outlook). The token is signed by Firebreak and names whose shifts; anything
 * else is 404. Rendered with ical-generator, loaded on the first feed asked for.
 */
export function calendarRouter(deps: Pick<PagingContext, "pool" | "config" | "clock" | "log">): Router {
  const router = Router();
  router.get("/calendar/:file", async (req, res) => {
    const token = /^(.+)\.ics$/.exec(String(req.params.file))?.[1];
    const now = deps.clock.now();
    const feed = token ? await calendarFeed(deps, token, now) : null;
    if (!feed) {
      res.status(404).type("text/plain").send("No such calendar: ask /oncall me for your feed's address.\n");
      return;
    }
    const ical = (await import("ical-generator")).default;
    const calendar = ical({
      name: feed.name,
      prodId: { company: "Firebreak", product: "on-call", language: "EN" },
      ttl: 3600,
    });
    for (const e of feed.events)
      calendar.createEvent({
        id: e.uid,
        start: e.start,
        end: e.end,
        stamp: now,
        summary: e.summary,
        description: e.description,
      });
    res.set({ "cache-control": "private, max-age=300", "x-robots-tag": "noindex" });
    res.status(200).type("text/calendar; charset=utf-8").send(calendar.toString());
  });
  router.use("/calendar", (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.log.error({ err }, "calendar feed failed");
    res
      .status(503)
      .type("text/plain")
      .send("The calendar cannot be read right now; your calendar app will retry.\n");
  });
  return router;
}
