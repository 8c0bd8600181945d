import type pg from "pg";
import { decidePermission } from "../core/incident/roles.js";
import type { Permission } from "../core/incident/roles.js";
import type { FollowUp } from "../store/follow-ups/follow-ups.js";
import { insertFollowUp, lockFollowUp, setFollowUpDone } from "../store/follow-ups/follow-ups.js";
import { lockIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import type { Queryable } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { IncidentDeps, Via } from "./deps.js";

/** The longest follow-up text; longer belongs in a ticket. */
export const MAX_FOLLOW_UP_CHARS = 500;

/** What the follow-up use-cases need (the incident deps fit). */
export type FollowUpDeps = Pick<IncidentDeps, "pool" | "clock" | "config" | "roles" | "followUps">;

/** What a follow-up change came to, for the door to render. */
export type FollowUpOutcome =
  | { status: "changed" | "unchanged"; message: string; incident: Incident; followUp: FollowUp }
  | { status: "refused"; message: string; incident?: Incident };

async function guard(
  deps: FollowUpDeps,
  tx: pg.PoolClient,
  incidentId: number,
  actor: string,
  via: Via,
  permission: Permission,
  command: string,
): Promise<{ incident: Incident } | FollowUpOutcome> {
  const incident = await lockIncident(tx, incidentId);
  if (!incident)
    return {
      status: "refused",
      message: `There is no incident #${incidentId}. \`/incident list\` shows the open ones.`,
    };
  // On the web the door itself decided (loopback, or FIREBREAK_WEB_USER's credentials).
  if (via === "web") return { incident };
  const decision = decidePermission({
    permission,
    policy: deps.config.permissions,
    userId: actor,
    roles: await deps.roles.rolesOf(actor),
    incidentCommander: incident.commander,
  });
  if (decision.allowed) return { incident };
  await appendTimelineEvent(tx, {
    incidentId,
    actor,
    kind: "command.refused",
    at: deps.clock.now(),
    data: { command, via, reason: decision.reason },
  });
  return { status: "refused", message: decision.reason, incident };
}

/**
 * Adds a follow-up to an incident (`/incident followup <text>`): stored with the next
 * number, recorded in the timeline (`followup.added`) and shown in the incident channel
 * with a tick button, all in one transaction. Needs the `note` permission.
 */
export async function addFollowUp(
  deps: FollowUpDeps,
  input: { incidentId: number; actor: string; text: string; via: Via },
): Promise<FollowUpOutcome> {
  const text = input.text.replace(/\s+/g, " ").trim();
  if (!text)
    return {
      status: "refused",
      message: "Say what needs doing: `/incident followup Add an alert on checkout latency`.",
    };
  if (text.length > MAX_FOLLOW_UP_CHARS)
    return {
      status: "refused",
      message: `A follow-up is at most ${MAX_FOLLOW_UP_CHARS} characters (this one has ${text.length}): shorten it and link a ticket for the details.`,
    };
  return withTransaction(deps.pool, async (tx) => {
    const g = await guard(deps, tx, input.incidentId, input.actor, input.via, "note", "followup");
    if ("status" in g) return g;
    const followUp = await addFollowUpIn(tx, deps, g.incident, { actor: input.actor, via: input.via, text });
    return {
      status: "changed",
      message: `Follow-up ${followUp.number} added to incident #${input.incidentId}: ${text}`,
      incident: g.incident,
      followUp,
    };
  });
}

/**
 * The transactional core of adding a follow-up, for callers that already hold the
 * incident's row lock (a failed self-heal adds one in the transaction that records it):
 * stored with the next number, recorded (`followup.added`, with `data` besides) and
 * shown in the channel with its tick button. `text` is taken as given (bound it first).
 */
export async function addFollowUpIn(
  tx: Queryable,
  deps: Pick<FollowUpDeps, "clock" | "followUps">,
  incident: Incident,
  input: { actor: string; via: Via; text: string; data?: Record<string, unknown> },
): Promise<FollowUp> {
  const now = deps.clock.now();
  const followUp = await insertFollowUp(tx, {
    incidentId: incident.id,
    text: input.text,
    createdBy: input.actor,
    createdAt: now,
  });
  await appendTimelineEvent(tx, {
    incidentId: incident.id,
    actor: input.actor,
    kind: "followup.added",
    at: now,
    data: { via: input.via, number: followUp.number, text: input.text, ...(input.data ?? {}) },
  });
  await deps.followUps?.added(tx, incident, followUp);
  return followUp;
}

/**
 * Ticks a follow-up off, or opens it again: recorded in the timeline (`followup.done`,
 * `followup.reopened`) and its Slack message edited, in one transaction. A repeat (a
 * double click, a Slack retry) changes nothing. Needs the `checklist` permission in Slack.
 */
export async function setFollowUpState(
  deps: FollowUpDeps,
  input: { incidentId: number; number: number; actor: string; done: boolean; via: Via },
): Promise<FollowUpOutcome> {
  return withTransaction(deps.pool, async (tx) => {
    const g = await guard(
      deps,
      tx,
      input.incidentId,
      input.actor,
      input.via,
      "checklist",
      input.done ? "followup done" : "followup reopen",
    );
    if ("status" in g) return g;
    const current = await lockFollowUp(tx, input.incidentId, input.number);
    if (!current)
      return {
        status: "refused",
        message: `Incident #${input.incidentId} has no follow-up ${input.number}.`,
        incident: g.incident,
      };
    if (Boolean(current.doneAt) === input.done)
      return {
        status: "unchanged",
        message: `Follow-up ${current.number} is already ${input.done ? "done" : "open"}.`,
        incident: g.incident,
        followUp: current,
      };
    const now = deps.clock.now();
    const followUp = await setFollowUpDone(tx, current.id, input.done ? { by: input.actor, at: now } : null);
    await appendTimelineEvent(tx, {
      incidentId: input.incidentId,
      actor: input.actor,
      kind: input.done ? "followup.done" : "followup.reopened",
      at: now,
      data: { via: input.via, number: followUp.number, text: followUp.text },
    });
    await deps.followUps?.changed(tx, g.incident, followUp);
    return {
      status: "changed",
      message: `Follow-up ${followUp.number} ${input.done ? "done" : "reopened"}: ${followUp.text}`,
      incident: g.incident,
      followUp,
    };
  });
}
