import type { FirebreakConfig } from "../config.js";
import { routeAlertGroup } from "../core/alerts/routing.js";
import { applyService, serviceForLabels } from "../core/alerts/services.js";
import type { ServiceRouteDecision } from "../core/alerts/services.js";
import type { LabelSet } from "../core/alerts/types.js";

/**
 * Who a group's incident goes to: the first matching service (its team, policy and
 * announcement channel) ahead of the generic route — a heartbeat's own `route`, else the
 * first of `alerts.routes` whose matchers hold for the group's common labels.
 */
export function routeNotification(
  config: Pick<FirebreakConfig, "alerts" | "intake">,
  n: { commonLabels: LabelSet; source?: string | undefined },
): ServiceRouteDecision {
  const heartbeat = n.source?.startsWith("heartbeat:")
    ? config.intake.heartbeats.find((h) => `heartbeat:${h.name}` === n.source)
    : undefined;
  const route = heartbeat?.route ?? routeAlertGroup(n.commonLabels, config.alerts.routes);
  return applyService(route, serviceForLabels(n.commonLabels, config.intake.services));
}
