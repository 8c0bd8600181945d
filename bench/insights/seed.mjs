// Seeds a big on-call history straight in SQL (fast, deterministic: setseed): `incidents`
// incidents over two years up to now, `eventsPerIncident` timeline events each (declared,
// alerts, escalation and pages, acknowledgement, breaches, runs, resolution, and the Slack
// messages that make up most of a real timeline), plus pages, runs and alert groups.
// Hashes have the right shape but are not chained: the benchmark reads, it does not audit.

const USERS = 24;
const GROUPS = 40;

/** Seeds the history; returns the row counts it wrote. */
export async function seedInsightsHistory(pool, { incidents = 10_000, eventsPerIncident = 100 } = {}) {
  const c = await pool.connect();
  try {
    await c.query("SELECT setseed(0.42)");
    await c.query(
      `INSERT INTO alert_groups (group_key, receiver, group_labels, status, first_seen_at, last_notification_at)
       SELECT 'g' || g, 'firebreak',
              jsonb_build_object('alertname', (ARRAY['DiskPressure','CheckoutHighErrorRate','MySQLReplicationLag','PodCrashLooping','HighLatency'])[1 + g % 5],
                                 'namespace', 'ns' || (g % 8)),
              'resolved', now() - interval '730 days', now()
         FROM generate_series(0, $1 - 1) g`,
      [GROUPS],
    );
    await c.query(
      `INSERT INTO incidents (id, title, description, severity, state, source, declared_by, commander, declared_at,
                              acknowledged_at, acknowledged_by, resolved_at, resolved_by, checklist)
       SELECT g, 'Incident ' || g, '', (ARRAY['P0','P1','P1','P2','P2','P2','P3','P3'])[1 + floor(random() * 8)::int],
              'resolved', CASE WHEN g % 2 = 0 THEN 'alertmanager' ELSE 'slack' END,
              CASE WHEN g % 2 = 0 THEN 'alertmanager' ELSE 'U0BENCH' || (g % $2) END, 'U0BENCH' || (g % $2),
              t, t + (1 + random() * 40) * interval '1 minute', 'U0BENCH' || (g % $2),
              t + (60 + random() * 240) * interval '1 minute', 'U0BENCH' || (g % $2), '[]'
         FROM generate_series(1, $1) g, LATERAL (SELECT now() - (g::float / $1) * interval '728 days' - interval '2 hours' AS t) d`,
      [incidents, USERS],
    );
    await c.query("SELECT setval('incidents_id_seq', $1)", [incidents]);
    // Per incident: a fixed script for the first events, Slack messages after.
    await c.query(
      `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, data, prev_hash, hash)
       SELECT i.id, s, i.declared_at + s * interval '20 seconds',
              CASE WHEN s IN (1, 2, 3, 12) AND i.source = 'alertmanager' THEN 'alertmanager'
                   WHEN s IN (7, 9, 13) THEN i.acknowledged_by ELSE 'firebreak' END,
              k.kind, k.data,
              encode(sha256(convert_to(i.id || ':' || (s - 1), 'UTF8')), 'hex'),
              encode(sha256(convert_to(i.id || ':' || s, 'UTF8')), 'hex')
         FROM incidents i CROSS JOIN generate_series(1, $1) s
         CROSS JOIN LATERAL (SELECT 'g' || (i.id % $2) AS group_key, i.id % 10 = 0 AS breached) x
         CROSS JOIN LATERAL (SELECT
           CASE
             WHEN s = 1 THEN 'incident.declared'
             WHEN s = 2 AND i.source = 'alertmanager' THEN 'alert.received'
             WHEN s = 3 AND i.source = 'alertmanager' THEN 'alert.added'
             WHEN s = 4 THEN 'escalation.started'
             WHEN s = 5 THEN 'escalation.step'
             WHEN s = 6 THEN 'page.sent'
             WHEN s = 7 THEN 'incident.acknowledged'
             WHEN s = 8 AND x.breached THEN 'sla.breached'
             WHEN s = 9 THEN 'run.requested'
             WHEN s = 10 THEN 'run.started'
             WHEN s = 11 THEN 'run.succeeded'
             WHEN s = 12 AND i.source = 'alertmanager' THEN 'alert.resolved'
             WHEN s = 13 THEN 'incident.resolved'
             ELSE 'slack.message_posted'
           END AS kind,
           CASE
             WHEN s = 1 THEN jsonb_build_object('title', i.title, 'severity', i.severity, 'source', i.source)
             WHEN s IN (2, 3) THEN jsonb_build_object('groupKey', x.group_key, 'count', 1 + i.id % 3,
               'alerts', jsonb_build_array(jsonb_build_object('fingerprint', 'f' || i.id, 'alertname', 'A', 'startsAt', i.declared_at)))
             WHEN s = 12 THEN jsonb_build_object('groupKey', x.group_key, 'count', 1 + i.id % 3,
               'alerts', jsonb_build_array(jsonb_build_object('fingerprint', 'f' || i.id, 'alertname', 'A',
                 'startsAt', i.declared_at, 'endsAt', i.declared_at + (i.id % 50) * interval '1 minute')))
             WHEN s = 6 THEN jsonb_build_object('user', i.commander, 'reason', 'escalation', 'step', 0, 'repeat', 0)
             WHEN s BETWEEN 9 AND 11 THEN jsonb_build_object('run_id', i.id, 'command', 'mysql-processlist', 'target', 'orders-db')
             ELSE jsonb_build_object('text', 'Status update ' || s || ' for incident ' || i.id, 'purpose', 'incident.message')
           END AS data) k`,
      [eventsPerIncident, GROUPS],
    );
    await c.query(
      `INSERT INTO pages (incident_id, run, step, repeat, user_id, reason, paged_by, due_at, created_at)
       SELECT i.id, 1, p - 1, 0, 'U0BENCH' || ((i.id + p) % $1), 'escalation', 'firebreak',
              i.declared_at + (p - 1) * interval '15 minutes', i.declared_at + (p - 1) * interval '15 minutes'
         FROM incidents i CROSS JOIN generate_series(1, 2) p`,
      [USERS],
    );
    await c.query(
      `INSERT INTO runs (incident_id, command, kind, target_type, target, requested_by, via, state, timeout_ms,
                         requested_at, started_at, finished_at)
       SELECT i.id, (ARRAY['mysql-processlist','redis-ping','k8s-rollout-restart','mysql-kill-connection'])[1 + (i.id + r) % 4],
              'diagnostic', 'mysql', 'orders-db', i.commander, 'slash',
              CASE WHEN (i.id + r) % 9 = 0 THEN 'failed' ELSE 'succeeded' END, 30000,
              i.declared_at + interval '5 minutes', i.declared_at + interval '5 minutes', i.declared_at + interval '6 minutes'
         FROM incidents i CROSS JOIN generate_series(1, 1 + i.id % 2) r`,
    );
    await c.query("ANALYZE");
    const counts = await c.query(
      `SELECT (SELECT count(*) FROM incidents) AS incidents, (SELECT count(*) FROM timeline_events) AS events,
              (SELECT count(*) FROM pages) AS pages, (SELECT count(*) FROM runs) AS runs`,
    );
    return Object.fromEntries(Object.entries(counts.rows[0]).map(([k, v]) => [k, Number(v)]));
  } finally {
    c.release();
  }
}
