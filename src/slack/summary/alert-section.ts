import type { SummarySection } from "./section.js";
import type { AlertsConfig } from "../../config-schema/alerts.js";
import { renderAlertGroupBlocks, renderStormBlocks, MAX_ALERTS_SHOWN } from "../views/alert-summary.js";
import { findGroupOfIncident, listGroupAlerts } from "../../store/alerts/alert-groups.js";
import { isStormIncident, listStormMembers } from "../../store/alerts/storms.js";

/**
 * Adds the alert group (or, for a storm incident, the groups it collected) to the pinned
 * summary of incidents opened by alerts: Alertmanager, integrations, heartbeats. Declared
 * incidents get nothing. Only Alertmanager's own groups get the Silence control (the
 * silence is made through ALERTMANAGER_URL's API).
 */
export function alertSummarySection(deps: {
  alerts: AlertsConfig;
  /** Silences need Alertmanager's API: without ALERTMANAGER_URL there is no Silence control. */
  silencesEnabled: boolean;
}): SummarySection {
  return async (tx, incident) => {
    if (!/^(alertmanager$|integration:|heartbeat:)/.test(incident.source)) return [];
    const group = await findGroupOfIncident(tx, incident.id);
    if (group) {
      const { alerts, firing, resolved } = await listGroupAlerts(tx, group.id, MAX_ALERTS_SHOWN);
      return renderAlertGroupBlocks({
        incidentId: incident.id,
        groupLabels: group.groupLabels,
        commonLabels: group.commonLabels,
        firing,
        resolved,
        truncatedAlerts: group.truncatedAlerts,
        alerts,
        escalationPolicy: group.escalationPolicy,
        silence: group.silencedUntil ? { until: group.silencedUntil, by: group.silencedBy } : null,
        silenceDurations:
          deps.silencesEnabled && incident.state !== "resolved" && group.source === "alertmanager"
            ? deps.alerts.silenceDurations.map((d) => d.label)
            : [],
      });
    }
    if (await isStormIncident(tx, incident.id))
      return renderStormBlocks(await listStormMembers(tx, incident.id, 40));
    return [];
  };
}
