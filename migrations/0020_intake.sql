-- Intake beyond Alertmanager (issue 12): integrations (generic, Grafana, more Alertmanagers),
-- heartbeats, maintenance windows and services. Every source feeds the same alert
-- machinery (alert_notifications → alert_groups → alert_states → incidents).

-- Where a stored notification came from, so that it is read back the right way:
-- alertmanager (webhook v4), grafana (Grafana's contact point body, as received), generic
-- (an event already mapped by its integration's fields, as Firebreak's own JSON) and
-- heartbeat (a missed deadline, or the beat after it).
ALTER TABLE alert_notifications
  ADD COLUMN kind text NOT NULL DEFAULT 'alertmanager'
    CHECK (kind IN ('alertmanager', 'grafana', 'generic', 'heartbeat')),
  -- The integration or heartbeat name; null for POST /alerts/alertmanager.
  ADD COLUMN integration text;
-- "Is this dedup key open?" also looks at what is stored but not yet processed.
CREATE INDEX alert_notifications_pending_group ON alert_notifications (group_key)
  WHERE processed_at IS NULL;

-- Maintenance windows: while one is active, alert groups its matchers select are stored and
-- tracked but open no incident; when it ends, those still firing open theirs.
CREATE TABLE maintenance_windows (
  id                bigserial PRIMARY KEY,
  -- Alertmanager's syntax, as Firebreak writes it back: alertname="X", env=~"prod|staging".
  matchers          text        NOT NULL CHECK (length(matchers) BETWEEN 1 AND 40000),
  reason            text        NOT NULL DEFAULT '',
  created_by        text        NOT NULL,
  starts_at         timestamptz NOT NULL,
  ends_at           timestamptz NOT NULL CHECK (ends_at > starts_at),
  -- Ended early (by whom), before ends_at.
  ended_at          timestamptz,
  ended_by          text,
  -- When the groups it held back were let go (their incidents opened): set once.
  released_at       timestamptz,
  -- Its announcement, edited in place to list the alerts it holds back.
  announce_channel  text,
  announce_ts       text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_windows_unreleased ON maintenance_windows (ends_at) WHERE released_at IS NULL;

ALTER TABLE alert_groups
  -- alertmanager, integration:<name> or heartbeat:<name>: the incident's source.
  ADD COLUMN source text NOT NULL DEFAULT 'alertmanager',
  -- The service whose owners the group's incident goes to (services: in firebreak.yaml).
  ADD COLUMN service text,
  -- The maintenance window holding this group back (no incident while it lasts).
  ADD COLUMN held_by_window bigint REFERENCES maintenance_windows (id),
  -- A title its source gave (a generic event's, a heartbeat's), for an incident opened later.
  ADD COLUMN title text;
CREATE INDEX alert_groups_held ON alert_groups (held_by_window) WHERE held_by_window IS NOT NULL;

ALTER TABLE alert_states
  -- The severity the source decided (an integration's severity_map, a heartbeat's), else null.
  ADD COLUMN severity text CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
  -- [{ "text": …, "url": … }]: Grafana's dashboard, panel and silence URLs, a generic event's links.
  ADD COLUMN links jsonb NOT NULL DEFAULT '[]',
  -- Grafana's values (the query results that fired the alert).
  ADD COLUMN metric_values jsonb;

-- The service an incident concerns (declared with one, or its alerts' service).
ALTER TABLE incidents ADD COLUMN service text;
CREATE INDEX incidents_service ON incidents (service, id) WHERE service IS NOT NULL;

-- One row per heartbeat that ever beat. The deadline lives here, so a restart loses none;
-- the worker's checker opens the missed ones' incidents.
CREATE TABLE heartbeats (
  name          text        PRIMARY KEY,
  status        text        NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'up', 'missed')),
  last_beat_at  timestamptz,
  -- The latest a beat may come: last beat + interval + grace.
  deadline_at   timestamptz,
  -- The deadline that was missed, while status = 'missed'.
  missed_at     timestamptz,
  beats         bigint      NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX heartbeats_due ON heartbeats (deadline_at) WHERE status = 'up';
