import type pg from "pg";
import { withTransaction } from "../../src/store/pool.js";
import { appendTimelineEvent } from "../../src/store/timeline/timeline-events.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** One incident of a seeded history, placed by week and time of day (UTC). */
export interface SeedIncident {
  /** Weeks before the current one (0: this week). */
  week: number;
  /** 0 = Monday. */
  day: number;
  hour: number;
  minute?: number;
  severity: "P0" | "P1" | "P2" | "P3";
  title: string;
  /** A Slack user id, or "alertmanager" for an alert. */
  declaredBy: string;
  ack?: { afterMin: number; by: string };
  resolve?: { afterMin: number; by: string; summary?: string };
  breached?: boolean;
  pages?: { user: string; afterMin: number; step?: number }[];
  alert?: { groupKey: string; labels: Record<string, string>; alerts: number; clearAfterMin?: number };
  runs?: {
    command: string;
    by: string;
    afterMin: number;
    state: "succeeded" | "failed" | "denied";
    approvedBy?: string;
  }[];
  notes?: { by: string; afterMin: number; text: string }[];
  followUps?: { text: string; by: string; doneBy?: string }[];
  /** The service it concerns (`services:` in firebreak.yaml). */
  service?: string;
}

/** When a seeded incident was declared: `now`'s Monday (UTC) minus `week` weeks, plus day and time. */
export function declaredAt(now: Date, i: Pick<SeedIncident, "week" | "day" | "hour" | "minute">): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = midnight - ((now.getUTCDay() + 6) % 7) * DAY;
  return new Date(monday - i.week * 7 * DAY + i.day * DAY + i.hour * HOUR + (i.minute ?? 0) * MIN);
}

/** Monday (YYYY-MM-DD) of the week `week` weeks before `now`'s. */
export const weekLabel = (now: Date, week: number) =>
  declaredAt(now, { week, day: 0, hour: 0 }).toISOString().slice(0, 10);

/**
 * Writes a history as Firebreak would have recorded it: incidents, their hash-chained
 * timelines (declared, alerts, escalation and pages, breach, acknowledgement, runs, notes,
 * follow-ups, resolution), pages, runs, alert groups and follow-ups. Returns the incident ids.
 */
export async function seedHistory(
  pool: pg.Pool,
  now: Date,
  incidents: readonly SeedIncident[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const spec of incidents) ids.push(await seedIncident(pool, now, spec));
  return ids;
}

async function seedIncident(pool: pg.Pool, now: Date, s: SeedIncident): Promise<number> {
  const t0 = declaredAt(now, s);
  const at = (min: number) => new Date(t0.getTime() + min * MIN);
  const source = s.declaredBy === "alertmanager" ? "alertmanager" : "slack";
  const acked = s.ack ? at(s.ack.afterMin) : null;
  const resolved = s.resolve ? at(s.resolve.afterMin) : null;
  const state = resolved ? "resolved" : acked ? "acknowledged" : "declared";
  return withTransaction(pool, async (tx) => {
    const checklist = [
      {
        id: 1,
        text: "Confirm the customer impact",
        ...(acked ? { doneBy: s.ack!.by, doneAt: acked.toISOString() } : {}),
      },
      { id: 2, text: "Write the postmortem" },
    ];
    const res = await tx.query<{ id: string }>(
      `INSERT INTO incidents (title, description, severity, state, source, declared_by, commander, declared_at,
                              acknowledged_at, acknowledged_by, resolved_at, resolved_by, resolution_summary, checklist, service)
       VALUES ($1, '', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
      [
        s.title,
        s.severity,
        state,
        source,
        s.declaredBy,
        s.ack?.by ?? (source === "slack" ? s.declaredBy : null),
        t0,
        acked,
        s.ack?.by ?? null,
        resolved,
        s.resolve?.by ?? null,
        s.resolve?.summary ?? null,
        JSON.stringify(checklist),
        s.service ?? null,
      ],
    );
    const id = Number(res.rows[0]!.id);
    const events: { min: number; actor: string; kind: string; data: Record<string, unknown> }[] = [];
    const ev = (min: number, actor: string, kind: string, data: Record<string, unknown> = {}) =>
      events.push({ min, actor, kind, data });
    ev(0, s.declaredBy, "incident.declared", {
      via: source === "slack" ? "slash" : "alert",
      title: s.title,
      severity: s.severity,
      source,
      ...(s.alert ? { groupKey: s.alert.groupKey, groupLabels: s.alert.labels } : {}),
    });
    if (s.alert) {
      await tx.query(
        `INSERT INTO alert_groups (group_key, receiver, group_labels, status, incident_id, first_seen_at, last_notification_at)
         VALUES ($1, 'firebreak', $2, $3, $4, $5, $5)
         ON CONFLICT (group_key) DO UPDATE SET incident_id = EXCLUDED.incident_id`,
        [
          s.alert.groupKey,
          JSON.stringify(s.alert.labels),
          s.alert.clearAfterMin === undefined ? "firing" : "resolved",
          id,
          t0,
        ],
      );
      const alerts = Array.from({ length: s.alert.alerts }, (_, k) => ({
        fingerprint: `${s.alert!.groupKey}-${k}`,
        alertname: s.alert!.labels.alertname ?? "",
        startsAt: t0.toISOString(),
        ...(s.alert!.clearAfterMin !== undefined ? { endsAt: at(s.alert!.clearAfterMin).toISOString() } : {}),
      }));
      ev(0, "alertmanager", "alert.received", {
        via: "alert",
        status: "firing",
        added: s.alert.alerts,
        groupKey: s.alert.groupKey,
      });
      ev(0, "alertmanager", "alert.added", {
        via: "alert",
        groupKey: s.alert.groupKey,
        count: s.alert.alerts,
        alerts: alerts.map(({ endsAt: _e, ...a }) => a),
      });
      if (s.alert.clearAfterMin !== undefined) {
        ev(s.alert.clearAfterMin, "alertmanager", "alert.resolved", {
          via: "alert",
          groupKey: s.alert.groupKey,
          count: s.alert.alerts,
          alerts,
        });
        ev(s.alert.clearAfterMin, "alertmanager", "alert.all_resolved", {
          via: "alert",
          groupKey: s.alert.groupKey,
          action: "notify",
        });
      }
    }
    if (s.pages?.length) {
      ev(0, "firebreak", "escalation.started", { policy: "default", run: 1, repeat: 0, steps: 3 });
      let pageNo = 0;
      for (const p of s.pages) {
        const step = p.step ?? 0;
        const pageAt = at(p.afterMin);
        const page = await tx.query<{ id: string }>(
          `INSERT INTO pages (incident_id, run, step, repeat, user_id, reason, paged_by, due_at, created_at)
           VALUES ($1, 1, $2, $3, $4, 'escalation', 'firebreak', $5, $5) RETURNING id`,
          [id, step, pageNo++, p.user, pageAt],
        );
        ev(p.afterMin, "firebreak", "escalation.step", {
          policy: "default",
          run: 1,
          step,
          repeat: 0,
          users: [p.user],
          ack_timeout_ms: 15 * MIN,
        });
        ev(p.afterMin, "firebreak", "page.sent", {
          page: Number(page.rows[0]!.id),
          user: p.user,
          reason: "escalation",
          run: 1,
          step,
          repeat: 0,
        });
      }
    }
    if (s.breached) {
      const target = { P0: 15, P1: 60, P2: 240, P3: 1440 }[s.severity];
      ev(target, "firebreak", "sla.breached", { severity: s.severity, response_target_ms: target * MIN });
    }
    if (s.ack) {
      ev(s.ack.afterMin, s.ack.by, "incident.acknowledged", {
        via: "button",
        from: "declared",
        to: "acknowledged",
      });
      if (s.pages?.length)
        ev(s.ack.afterMin, s.ack.by, "escalation.stopped", { reason: "acknowledged", run: 1 });
    }
    for (const n of s.notes ?? []) ev(n.afterMin, n.by, "incident.note", { via: "slash", text: n.text });
    for (const r of s.runs ?? []) {
      const requested = at(r.afterMin);
      const finished = at(r.afterMin + 1);
      const run = await tx.query<{ id: string }>(
        `INSERT INTO runs (incident_id, command, kind, target_type, target, requested_by, via, state, timeout_ms,
                           requested_at, started_at, finished_at)
         VALUES ($1, $2, $3, 'mysql', 'orders-db', $4, 'slash', $5, 30000, $6, $7, $8) RETURNING id`,
        [
          id,
          r.command,
          r.approvedBy ? "remediation" : "diagnostic",
          r.by,
          r.state,
          requested,
          r.state === "denied" ? null : requested,
          finished,
        ],
      );
      const runId = Number(run.rows[0]!.id);
      const base = { run_id: runId, command: r.command, target: "orders-db" };
      ev(r.afterMin, r.by, "run.requested", { ...base, params: {}, via: "slash" });
      if (r.state === "denied") {
        ev(r.afterMin + 1, r.approvedBy ?? "U0ALICE", "run.denied", {
          ...base,
          withdrawn: false,
          via: "button",
        });
        continue;
      }
      if (r.approvedBy)
        ev(r.afterMin, r.approvedBy, "run.approved", { ...base, approvals: 1, needed: 1, via: "button" });
      ev(r.afterMin, "firebreak", "run.started", { ...base, timeout_ms: 30_000 });
      ev(r.afterMin + 1, "firebreak", `run.${r.state}`, {
        ...base,
        outcome: r.state,
        status: r.state === "succeeded" ? "ok" : "error",
        summary: r.state === "succeeded" ? "done" : "",
        ...(r.state === "failed" ? { error: "connection refused" } : {}),
        duration_ms: 1200,
      });
    }
    let number = 0;
    for (const f of s.followUps ?? []) {
      number++;
      const created = at((s.resolve?.afterMin ?? 30) + number);
      await tx.query(
        `INSERT INTO follow_ups (incident_id, number, text, created_by, created_at, done_by, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, number, f.text, f.by, created, f.doneBy ?? null, f.doneBy ? created : null],
      );
      ev((s.resolve?.afterMin ?? 30) + number, f.by, "followup.added", {
        via: "slash",
        number,
        text: f.text,
      });
      if (f.doneBy)
        ev((s.resolve?.afterMin ?? 30) + number, f.doneBy, "followup.done", {
          via: "button",
          number,
          text: f.text,
        });
    }
    if (s.resolve)
      ev(s.resolve.afterMin, s.resolve.by, "incident.resolved", {
        via: "slash",
        from: "acknowledged",
        to: "resolved",
        ...(s.resolve.summary ? { summary: s.resolve.summary } : {}),
      });
    events.sort((a, b) => a.min - b.min);
    for (const e of events)
      await appendTimelineEvent(tx, {
        incidentId: id,
        actor: e.actor,
        kind: e.kind,
        at: at(e.min),
        data: e.data,
      });
    return id;
  });
}

const RESPONDERS = ["U0BOB", "U0CAROL", "U0ALICE"] as const;
const ALERTS = [
  { alertname: "DiskPressure", namespace: "storage", alerts: 3, noisy: true },
  { alertname: "CheckoutHighErrorRate", namespace: "shop", alerts: 2, noisy: false },
  { alertname: "MySQLReplicationLag", namespace: "shop", alerts: 1, noisy: false },
] as const;

/** A small seeded generator (mulberry32): the same history on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Twelve weeks of on-call, the same every time: 3–8 incidents a week, about half from
 * alerts (three alert groups; DiskPressure is noisy and clears before anyone acknowledges),
 * pages by day and at night, runs, follow-ups and a few missed P0 response targets,
 * answered a little faster in the last weeks; checkout and search incidents carry their
 * service. Week 2 also holds three P1 incidents acknowledged after 2, 4 and 10 minutes.
 */
export function demoHistory(): SeedIncident[] {
  const rnd = random(13);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: SeedIncident[] = [];
  for (let week = 11; week >= 0; week--) {
    const count = week === 0 ? 3 : 3 + Math.floor(rnd() * 6);
    for (let k = 0; k < count; k++) {
      const severity = pick(["P0", "P1", "P1", "P2", "P2", "P2", "P3", "P3"] as const);
      const responder = pick(RESPONDERS);
      const alert = rnd() < 0.55 ? pick(ALERTS) : undefined;
      const noisy = alert?.noisy === true;
      const night = rnd() < 0.3;
      const ackAfter = Math.max(
        1,
        Math.round((2 + rnd() * (severity === "P0" ? 30 : 45)) * (week < 4 ? 0.6 : 1)),
      );
      const resolveAfter = ackAfter + 20 + Math.floor(rnd() * 150);
      const runs: NonNullable<SeedIncident["runs"]> = [];
      if (!noisy && rnd() < 0.45) {
        runs.push({
          command: "mysql-processlist",
          by: responder,
          afterMin: ackAfter + 2,
          state: "succeeded",
        });
        if (rnd() < 0.5)
          runs.push({
            command: "mysql-kill-connection",
            by: responder,
            afterMin: ackAfter + 5,
            state: rnd() < 0.2 ? "failed" : rnd() < 0.1 ? "denied" : "succeeded",
            approvedBy: responder === "U0ALICE" ? "U0BOB" : "U0ALICE",
          });
        if (rnd() < 0.3)
          runs.push({ command: "redis-ping", by: responder, afterMin: ackAfter + 1, state: "succeeded" });
      }
      out.push({
        week,
        // This week only up to Tuesday: the tests' clock stands on a Wednesday.
        day: week === 0 ? k % 2 : Math.floor(rnd() * 7),
        hour: night ? pick([0, 1, 2, 3, 4, 5, 23]) : 8 + Math.floor(rnd() * 10),
        minute: Math.floor(rnd() * 60),
        severity,
        title: alert
          ? `${alert.alertname} in ${alert.namespace}`
          : pick(["Checkout is failing", "Login latency", "Payments timing out", "Search is slow"]),
        declaredBy: alert ? "alertmanager" : responder,
        ...(noisy ? {} : { ack: { afterMin: ackAfter, by: responder } }),
        resolve: noisy
          ? { afterMin: 30, by: responder, summary: "cleared on its own" }
          : { afterMin: resolveAfter, by: responder, summary: "rolled back the release" },
        breached: severity === "P0" && !noisy && ackAfter > 15,
        pages:
          alert || severity === "P0"
            ? [
                { user: responder, afterMin: 0 },
                ...(!noisy && ackAfter > 15
                  ? [{ user: responder === "U0ALICE" ? "U0BOB" : "U0ALICE", afterMin: 15, step: 1 }]
                  : []),
              ]
            : [],
        ...(alert
          ? {
              alert: {
                groupKey: `{}:{alertname="${alert.alertname}"}`,
                labels: { alertname: alert.alertname, namespace: alert.namespace },
                alerts: alert.alerts,
                clearAfterMin: noisy ? 9 : ackAfter + 10,
              },
            }
          : {}),
        runs,
        ...(rnd() < 0.25
          ? {
              followUps: [
                {
                  text: pick([
                    "Add a canary stage to the checkout deploy",
                    "Alert on replication lag earlier",
                    "Document the failover runbook",
                  ]),
                  by: responder,
                  ...(week > 3 ? { doneBy: "U0ALICE" } : {}),
                },
              ],
            }
          : {}),
      });
    }
  }
  // Week 2's anchor: three P1 incidents declared by people, acknowledged after 2, 4 and 10 minutes.
  for (const [k, ackAfter] of [2, 4, 10].entries())
    out.push({
      week: 2,
      day: 5,
      hour: 14 + k,
      severity: "P1",
      title: `Search results empty (${k + 1})`,
      declaredBy: "U0CAROL",
      ack: { afterMin: ackAfter, by: "U0BOB" },
      resolve: { afterMin: 60, by: "U0BOB" },
      notes: [{ by: "U0BOB", afterMin: ackAfter + 1, text: "Index rebuild running" }],
    });
  // Services, from what the incident is about: checkout and search.
  return out.map((i) => {
    const service = /checkout/i.test(i.title) ? "checkout" : /search/i.test(i.title) ? "search" : undefined;
    return service ? { ...i, service } : i;
  });
}
