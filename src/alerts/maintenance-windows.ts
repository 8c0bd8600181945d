import type pg from "pg";
import type { Clock } from "../core/ports.js";
import type { LabelMatcher } from "../core/alerts/label-matcher.js";
import { formatMatchers } from "../core/alerts/matcher-syntax.js";
import { decidePermission } from "../core/incident/roles.js";
import {
  endWindow,
  insertWindow,
  listHeldGroups,
  listRecentWindows,
  lockWindow,
} from "../store/maintenance/windows.js";
import type { HeldGroup, StoredWindow } from "../store/maintenance/windows.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { AlertIngestDeps } from "./process-notification.js";
import { releaseWindow } from "./release-window.js";

/** What a maintenance command did, for the listener to render. */
export type WindowOutcome =
  | { status: "changed"; message: string; window: StoredWindow }
  | { status: "unchanged" | "refused"; message: string };

/** A window and the groups it holds back, for lists and pages. */
export interface WindowView {
  window: StoredWindow;
  held: HeldGroup[];
  heldTotal: number;
}

async function allowed(
  deps: AlertIngestDeps,
  actor: string,
  command: string,
  via: string,
): Promise<string | null> {
  const d = deps.incidents;
  const decision = decidePermission({
    permission: "maintenance",
    policy: d.config.permissions,
    userId: actor,
    roles: await d.roles.rolesOf(actor),
  });
  if (decision.allowed) return null;
  await withTransaction(d.pool, (tx) =>
    appendTimelineEvent(tx, {
      incidentId: WORKSPACE_CHAIN,
      actor,
      kind: "command.refused",
      at: d.clock.now(),
      data: { command, via, reason: decision.reason },
    }),
  );
  return decision.reason;
}

/**
 * `/alerts maintenance <matchers> for <duration> [reason]`: opens a window from now, records
 * `maintenance.started` on the workspace timeline and announces it, in one transaction.
 */
export async function openMaintenanceWindow(
  deps: AlertIngestDeps,
  input: {
    actor: string;
    matchers: readonly LabelMatcher[];
    durationMs: number;
    reason: string;
    via: string;
  },
): Promise<WindowOutcome> {
  const refused = await allowed(deps, input.actor, "alerts maintenance", input.via);
  if (refused) return { status: "refused", message: refused };
  const d = deps.incidents;
  return withTransaction(d.pool, async (tx) => {
    const now = d.clock.now();
    const window = await insertWindow(tx, {
      matchers: formatMatchers(input.matchers),
      reason: input.reason,
      createdBy: input.actor,
      startsAt: now,
      endsAt: new Date(now.getTime() + input.durationMs),
      announceChannel: d.config.slack.announcementsChannel ?? null,
    });
    await appendTimelineEvent(tx, {
      incidentId: WORKSPACE_CHAIN,
      actor: input.actor,
      kind: "maintenance.started",
      at: now,
      data: {
        window: window.id,
        matchers: window.matchersText,
        endsAt: window.endsAt.toISOString(),
        reason: window.reason,
        via: input.via,
      },
    });
    await deps.maintenance.announce(tx, window.id);
    return {
      status: "changed",
      message: `Maintenance window #${window.id} is open until ${window.endsAt.toISOString()}: alerts matching \`${window.matchersText}\` are tracked but open no incident and page nobody. End it early with \`/alerts maintenance end ${window.id}\`.`,
      window,
    };
  });
}

/**
 * `/alerts maintenance end <id>`: ends the window now (`maintenance.ended`), then lets go of
 * what it held back: anything still firing opens its incident as usual.
 */
export async function endMaintenanceWindow(
  deps: AlertIngestDeps,
  input: { actor: string; id: number; via: string },
): Promise<WindowOutcome> {
  const refused = await allowed(deps, input.actor, "alerts maintenance end", input.via);
  if (refused) return { status: "refused", message: refused };
  const d = deps.incidents;
  const outcome = await withTransaction(d.pool, async (tx): Promise<WindowOutcome> => {
    const window = await lockWindow(tx, input.id);
    if (!window)
      return {
        status: "refused",
        message: `There is no maintenance window #${input.id}: see \`/alerts maintenance list\`.`,
      };
    const now = d.clock.now();
    if (!(await endWindow(tx, input.id, input.actor, now)))
      return { status: "unchanged", message: `Maintenance window #${input.id} has already ended.` };
    await appendTimelineEvent(tx, {
      incidentId: WORKSPACE_CHAIN,
      actor: input.actor,
      kind: "maintenance.ended",
      at: now,
      data: { window: input.id, via: input.via },
    });
    await deps.maintenance.refresh(tx, input.id);
    return { status: "changed", message: `Ended maintenance window #${input.id}.`, window };
  });
  if (outcome.status !== "changed") return outcome;
  const opened = await releaseWindow(deps, input.id);
  return {
    ...outcome,
    message: opened.length
      ? `${outcome.message} Alerts still firing opened ${opened.map((i) => `#${i}`).join(", ")}.`
      : `${outcome.message} Nothing it held back is still firing.`,
  };
}

/** Windows active or to come, and those that ended in the last day, newest first, with what they hold. */
export async function listMaintenanceWindows(
  deps: { pool: pg.Pool; clock: Clock },
  limit = 20,
): Promise<WindowView[]> {
  const { pool, clock } = deps;
  const now = clock.now();
  const windows = await listRecentWindows(pool, { now, since: new Date(now.getTime() - 86_400_000), limit });
  return Promise.all(
    windows.map(async (window) => {
      const { groups, total } = await listHeldGroups(pool, window.id, 10);
      return { window, held: groups, heldTotal: total };
    }),
  );
}
