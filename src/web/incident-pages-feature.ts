import type { FeatureFactory } from "../feature-module.js";
import { incidentPagesRouter } from "./incident-pages.js";

/** Plugs the read-only incident pages into the web server (see incidentPagesRouter). */
export const incidentPagesFeature: FeatureFactory = (ctx) => ({
  name: "incident-pages",
  routes: incidentPagesRouter({
    pool: ctx.pool,
    clock: ctx.clock,
    config: ctx.config,
    access: ctx.env.webCredentials ? { credentials: ctx.env.webCredentials } : {},
  }),
});
