import { decidePermission } from "../core/incident/roles.js";
import { escapeMrkdwn, mentionUser } from "../core/mrkdwn.js";
import { humanDuration } from "../core/duration.js";
import type { UserNames } from "../core/ports.js";
import type { IncidentDeps } from "../incidents/deps.js";
import { getIncident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import type { AlertmanagerClient, SilenceMatcher } from "./alertmanager-api.js";
import { findGroupOfIncident, lockGroup, updateGroup } from "../store/alerts/alert-groups.js";
import { recordAlertEvent } from "./alert-timeline.js";

/** A second click within this of the same end time is the same silence (a double click). */
const SAME_SILENCE_MS = 60_000;

/** What silencing needs: the incident deps, Alertmanager's API and people's names. */
export interface SilenceDeps {
  incidents: IncidentDeps;
  alertmanager: AlertmanagerClient;
  names: UserNames;
}

/** What a silence request did, for the listener to tell the clicker. */
export type SilenceOutcome =
  | { status: "changed"; message: string; silenceId: string }
  | { status: "unchanged" | "refused"; message: string };

/**
 * Silences an alert incident's group in Alertmanager (API v2) for one of the configured
 * durations: equality matchers on the group's labels, created by the Slack user who asked.
 * Records `alert.silenced` in the timeline, tells the channel and refreshes the summary.
 * Runs under the group's row lock, so a double click creates one silence.
 */
export async function silenceAlertGroup(
  deps: SilenceDeps,
  input: { incidentId: number; userId: string; duration: string },
): Promise<SilenceOutcome> {
  const config = deps.incidents.config;
  const duration = config.alerts.silenceDurations.find((d) => d.label === input.duration);
  if (!duration)
    return {
      status: "refused",
      message: `There is no "${input.duration}" silence any more; use the summary's current options.`,
    };
  const decision = decidePermission({
    permission: "ack",
    policy: config.permissions,
    userId: input.userId,
    roles: await deps.incidents.roles.rolesOf(input.userId),
  });
  if (!decision.allowed)
    return { status: "refused", message: decision.reason.replace("acknowledge incidents", "silence alerts") };
  const name = await deps.names.nameOf(input.userId).catch(() => undefined);
  const createdBy = name ? `${name} (${input.userId})` : input.userId;
  return withTransaction(deps.incidents.pool, async (tx) => {
    const owner = await findGroupOfIncident(tx, input.incidentId);
    const group = owner ? await lockGroup(tx, owner.id) : null;
    const incident = await getIncident(tx, input.incidentId);
    if (!group || !incident)
      return {
        status: "refused",
        message: `Incident #${input.incidentId} has no alert group of its own to silence (a storm incident: silence its groups in Alertmanager).`,
      };
    const now = deps.incidents.clock.now();
    const endsAt = new Date(now.getTime() + duration.ms);
    if (group.silencedUntil && Math.abs(group.silencedUntil.getTime() - endsAt.getTime()) < SAME_SILENCE_MS)
      return { status: "unchanged", message: `These alerts are already silenced for ${duration.label}.` };
    const labels = Object.keys(group.groupLabels).length ? group.groupLabels : group.commonLabels;
    const matchers: SilenceMatcher[] = Object.keys(labels)
      .sort()
      .map((name) => ({ name, value: labels[name]!, isRegex: false, isEqual: true }));
    if (matchers.length === 0)
      return {
        status: "refused",
        message: "This group has no labels to silence it by; silence it in Alertmanager.",
      };
    const silenceId = await deps.alertmanager.createSilence({
      matchers,
      startsAt: now,
      endsAt,
      createdBy,
      comment: `Firebreak incident #${incident.id}: silenced for ${duration.label} from Slack.`,
    });
    await updateGroup(tx, group.id, { silenceId, silencedUntil: endsAt, silencedBy: input.userId });
    await recordAlertEvent(
      tx,
      incident.id,
      now,
      "alert.silenced",
      {
        silenceId,
        duration: duration.label,
        durationMs: duration.ms,
        endsAt: endsAt.toISOString(),
        matchers,
        createdBy,
      },
      input.userId,
    );
    const message = `:mute: ${mentionUser(input.userId)} silenced this group's alerts in Alertmanager for ${escapeMrkdwn(duration.label)} (${humanDuration(duration.ms)}; silence \`${escapeMrkdwn(silenceId)}\`).`;
    await deps.incidents.notifier.post(tx, incident, { text: message });
    await deps.incidents.notifier.refreshSummary(tx, incident);
    return { status: "changed", message, silenceId };
  });
}
