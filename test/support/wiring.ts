import type { Role } from "../../src/core/incident/roles.js";
import type { UserGroupDirectory } from "../../src/core/ports.js";
import { declareIncident } from "../../src/incidents/declare-incident.js";
import type { IncidentDeps } from "../../src/incidents/deps.js";
import { pagingChangeListener } from "../../src/paging/paging-change-listener.js";
import type { PagingContext } from "../../src/paging/context.js";
import type { TimerQueue } from "../../src/jobs/timer-queue.js";
import type { TimerJob } from "../../src/paging/timer-job.js";
import { createIncidentNotifier } from "../../src/slack/notifiers/incident-notifier.js";
import { createPageNotifier } from "../../src/slack/notifiers/page-notifier.js";
import { createRunNotifier } from "../../src/slack/notifiers/run-notifier.js";
import { createPageProviders } from "../../src/providers/index.js";
import type { ProviderSettings } from "../../src/providers/index.js";

/** A user-group directory that knows `members` and never asks Slack. */
export function staticUserGroups(members: Record<string, string[]> = {}): UserGroupDirectory {
  return {
    cached: (id) => members[id],
    async load(ids) {
      return {
        members: Object.fromEntries(ids.flatMap((id) => (members[id] ? [[id, members[id]]] : []))),
        unreadable: ids.filter((id) => !members[id]),
      };
    },
    async refresh() {},
  };
}

/** The Slack-side ports paging needs, over the real outbox (as the composition root wires them). */
export function pagingPorts(
  members: Record<string, string[]> = {},
  providers: ProviderSettings = {},
): Pick<PagingContext, "usergroups" | "notifier" | "pages" | "providers"> {
  return {
    usergroups: staticUserGroups(members),
    notifier: createIncidentNotifier(),
    pages: createPageNotifier(),
    providers: createPageProviders(providers),
  };
}

export { createIncidentNotifier, createRunNotifier };

/** Declares a P1 incident as `/incident declare` would, with paging listening (its escalation starts). */
export async function declareWithPaging(ctx: PagingContext, title: string): Promise<number> {
  const deps: IncidentDeps = {
    pool: ctx.pool,
    clock: ctx.clock,
    config: ctx.config,
    log: ctx.log,
    roles: { rolesOf: async () => new Set<Role>(["admin"]) },
    notifier: createIncidentNotifier(),
    changeListeners: [pagingChangeListener(ctx)],
  };
  const out = await declareIncident(deps, { title, severity: "P1", actor: "U0ADMIN", via: "slash" });
  return out.incident!.id;
}

/**
 * A timer queue that only keeps what it is handed (`held`) and never runs it: BullMQ as a
 * worker killed with `kill -9` leaves it, or a recorder of what a scheduler schedules.
 */
export function heldTimerQueue(): TimerQueue & { held: TimerJob[] } {
  const held: TimerJob[] = [];
  return {
    held,
    async schedule(jobs) {
      held.push(...jobs);
    },
    startWorker: () => undefined,
    close: async () => undefined,
  };
}
