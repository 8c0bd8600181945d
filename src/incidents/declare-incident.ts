import type pg from "pg";
import { decidePermission } from "../core/incident/roles.js";
import type { Severity } from "../core/incident/severity.js";
import { claimRequestKey, insertIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { IncidentDeps, Outcome, Via } from "./deps.js";

export interface DeclareInput {
  title: string;
  severity: Severity;
  description?: string;
  actor: string;
  via: Via;
  source?: string;
  /** Defaults to the declarer for people; alerts leave it empty until someone takes it. */
  commander?: string | null;
  /** Users to invite besides the declarer and commander (alert routing). */
  invite?: string[];
  /** An idempotency key (Slack trigger/view id, alert group): the same key declares once. */
  requestKey?: string;
  /** The escalation policy to page with (alert routing); defaults to the severity's. */
  escalationPolicy?: string;
  /** The service it concerns (`services:`): shown in the summary and pages, and `/incident list <service>`. */
  service?: string;
  /** Where to announce; defaults to the configured announcements channel. */
  announceChannel?: string;
  /** Extra data for the declared event (alert group key, labels…). */
  data?: Record<string, unknown>;
}

/**
 * Declares an incident: stores it, records `incident.declared`, and queues the channel,
 * invitations, pinned summary and announcement — all in one transaction, so either the
 * incident exists with all its Slack work queued, or nothing happened.
 */
export async function declareIncident(deps: IncidentDeps, input: DeclareInput): Promise<Outcome> {
  const roles = await deps.roles.rolesOf(input.actor);
  return withTransaction(deps.pool, async (tx) => {
    const decision = decidePermission({
      permission: "declare",
      policy: deps.config.permissions,
      userId: input.actor,
      roles,
    });
    if (!decision.allowed) {
      await appendTimelineEvent(tx, {
        incidentId: WORKSPACE_CHAIN,
        actor: input.actor,
        kind: "command.refused",
        at: deps.clock.now(),
        data: { command: "declare", via: input.via, title: input.title, reason: decision.reason },
      });
      return { status: "refused", message: decision.reason };
    }
    if (input.requestKey && !(await claimRequestKey(tx, `declare:${input.requestKey}`))) {
      return {
        status: "refused",
        message: "This request was already handled (a retry or a double submit): nothing new was declared.",
      };
    }
    const incident = await declareInTransaction(tx, deps, input);
    return {
      status: "changed",
      message: `Declared incident #${incident.id}: opening its channel…`,
      incident,
    };
  });
}

/** The transactional core of declaring, for callers that already hold a transaction (alert ingest). */
export async function declareInTransaction(
  tx: pg.PoolClient,
  deps: IncidentDeps,
  input: DeclareInput,
): Promise<Incident> {
  const now = deps.clock.now();
  const policy = deps.config.severities[input.severity];
  const commander = input.commander === undefined ? input.actor : input.commander;
  const incident = await insertIncident(tx, {
    title: input.title,
    description: input.description ?? "",
    severity: input.severity,
    source: input.source ?? "slack",
    declaredBy: input.actor,
    commander,
    declaredAt: now,
    checklist: policy.checklist.map((text, i) => ({ id: i + 1, text })),
    escalationPolicy: input.escalationPolicy ?? null,
    service: input.service ?? null,
  });
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor: input.actor,
    kind: "incident.declared",
    at: now,
    data: {
      via: input.via,
      title: incident.title,
      severity: incident.severity,
      description: incident.description,
      commander,
      source: incident.source,
      ...(incident.service ? { service: incident.service } : {}),
      ...(input.data ?? {}),
    },
  });
  const invite = [...new Set([input.actor, incident.commander, ...(input.invite ?? [])])].filter(
    (u): u is string => typeof u === "string" && /^[UW][A-Z0-9]+$/.test(u),
  );
  await deps.notifier.openChannel(tx, incident, {
    invite,
    ...(input.announceChannel ? { announceChannel: input.announceChannel } : {}),
  });
  for (const listener of deps.changeListeners)
    await listener.onIncidentChange(tx, { kind: "declared", incident, before: null, actor: input.actor });
  return incident;
}
