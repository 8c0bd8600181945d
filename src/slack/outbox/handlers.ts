import type { Logger } from "pino";
import type { FirebreakConfig } from "../../config.js";
import type { Clock } from "../../core/ports.js";
import type { SummarySection } from "../summary/section.js";
import type { OutboxHandler } from "./drainer.js";
import { followUpOutboxHandlers } from "./follow-up-handlers.js";
import { incidentOutboxHandlers } from "./incident-handlers.js";
import { maintenanceOutboxHandlers } from "./maintenance-handlers.js";
import { pageOutboxHandlers } from "./page-handlers.js";
import { profileOutboxHandlers } from "./profile-handlers.js";
import { runOutboxHandlers } from "./run-handlers.js";

/**
 * Every outbox continuation, by kind: the incident's channel, summary and messages; pages'
 * DMs; runs' approval messages and file uploads; maintenance windows' announcements;
 * follow-up messages; profile lookups (people's names and time zones). A kind no handler
 * knows fails its call.
 */
export function slackOutboxHandlers(deps: {
  config: FirebreakConfig;
  clock: Clock;
  log: Logger;
  sections: readonly SummarySection[];
}): ReadonlyMap<string, OutboxHandler> {
  return new Map<string, OutboxHandler>([
    ...incidentOutboxHandlers(deps),
    ...pageOutboxHandlers(deps.clock),
    ...runOutboxHandlers(deps),
    ...maintenanceOutboxHandlers(deps.clock),
    ...followUpOutboxHandlers(),
    ...profileOutboxHandlers(deps.clock),
  ]);
}
