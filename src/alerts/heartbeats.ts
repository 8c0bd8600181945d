import type pg from "pg";
import type { HeartbeatConfig } from "../config-schema/intake.js";
import {
  heartbeatGroupKey,
  heartbeatNotification,
  isOverdue,
  onBeat,
  onMissed,
} from "../core/alerts/heartbeat.js";
import { notificationToJson } from "../core/alerts/notification-json.js";
import type { Clock } from "../core/ports.js";
import { lockHeartbeat, lockOverdueHeartbeats, saveHeartbeat } from "../store/heartbeats/heartbeats.js";
import { insertNotification } from "../store/alerts/notifications.js";
import { withTransaction } from "../store/pool.js";
import type { Queryable } from "../store/pool.js";

/** What a beat did: when the next one is due at the latest, and the notification it stored, if it ended a miss. */
export interface BeatOutcome {
  nextDeadline: Date;
  recovered: boolean;
  notificationId: number | null;
}

/**
 * `POST /heartbeats/<name>`: records a beat and moves the deadline (last beat + interval +
 * grace), in Postgres. A beat after a miss also stores the recovery as a resolved alert
 * notification, in the same transaction, for the alert machinery to resolve the incident
 * (or note the recovery) per `alerts.on_all_resolved`.
 */
export async function recordBeat(
  deps: { pool: pg.Pool; clock: Clock },
  spec: HeartbeatConfig,
): Promise<BeatOutcome> {
  return withTransaction(deps.pool, async (tx) => {
    const now = deps.clock.now();
    const state = await lockHeartbeat(tx, spec.name);
    const { next, recovered } = onBeat(state, spec, now);
    await saveHeartbeat(tx, spec.name, next, { beat: true });
    const notificationId = recovered
      ? await storeHeartbeatNotification(
          tx,
          spec,
          heartbeatNotification(spec, { kind: "recovered", missedAt: recovered.missedAt, beatAt: now }, now),
          `recovered:${recovered.missedAt.toISOString()}`,
        )
      : null;
    return { nextDeadline: next.deadlineAt!, recovered: recovered !== null, notificationId };
  });
}

/**
 * One pass of the `heartbeat-checker` job: every configured heartbeat whose deadline has
 * passed is marked missed and its firing notification stored, in one transaction per pass
 * (rows locked with SKIP LOCKED, so two workers never report one miss twice). Returns the
 * notifications stored, for processing at once.
 */
export async function checkHeartbeats(
  deps: { pool: pg.Pool; clock: Clock },
  specs: readonly HeartbeatConfig[],
): Promise<number[]> {
  if (specs.length === 0) return [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  return withTransaction(deps.pool, async (tx) => {
    const now = deps.clock.now();
    const ids: number[] = [];
    for (const state of await lockOverdueHeartbeats(tx, [...byName.keys()], now, 100)) {
      const spec = byName.get(state.name)!;
      if (!isOverdue(state, now)) continue;
      const missed = onMissed(state);
      await saveHeartbeat(tx, spec.name, missed, { beat: false });
      const n = heartbeatNotification(
        spec,
        { kind: "missed", missedAt: missed.missedAt!, lastBeatAt: state.lastBeatAt },
        now,
      );
      const id = await storeHeartbeatNotification(tx, spec, n, `missed:${missed.missedAt!.toISOString()}`);
      if (id !== null) ids.push(id);
    }
    return ids;
  });
}

async function storeHeartbeatNotification(
  tx: Queryable,
  spec: HeartbeatConfig,
  n: ReturnType<typeof heartbeatNotification>,
  event: string,
): Promise<number | null> {
  const stored = await insertNotification(tx, {
    dedupKey: `${heartbeatGroupKey(spec.name)}:${event}`,
    groupKey: heartbeatGroupKey(spec.name),
    body: notificationToJson(n),
    receivedAt: n.receivedAt,
    processAfter: n.receivedAt,
    kind: "heartbeat",
    integration: spec.name,
  });
  return stored.duplicate ? null : stored.id;
}
