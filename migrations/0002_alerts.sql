-- Alertmanager: every notification received (durable before we answer 2xx), one row per
-- alert group (Alertmanager's groupKey) with the incident it feeds, each alert's state by
-- fingerprint, and alert storms.

-- A notification is stored before Alertmanager hears 200, then processed (in-process at
-- once, or by the worker's sweeper after a crash). An identical body received again in the
-- same ten minutes (a retry, the HA peer's copy) has the same dedup_key and is not stored twice.
CREATE TABLE alert_notifications (
  id               bigserial PRIMARY KEY,
  dedup_key        text        NOT NULL UNIQUE,
  group_key        text        NOT NULL,
  body             text        NOT NULL,            -- the request body as received
  received_at      timestamptz NOT NULL DEFAULT now(),
  processed_at     timestamptz,
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text
);
CREATE INDEX alert_notifications_unprocessed ON alert_notifications (next_attempt_at, id)
  WHERE processed_at IS NULL;

-- One storm incident collects the new groups of an alert storm.
CREATE TABLE alert_storms (
  id           bigserial PRIMARY KEY,
  incident_id  bigint      NOT NULL UNIQUE REFERENCES incidents (id),
  opened_at    timestamptz NOT NULL
);

-- One row per groupKey, ever: its row lock serialises everything done for the group, and
-- the unique key makes "one open incident per group" a property of the data.
CREATE TABLE alert_groups (
  id                  bigserial PRIMARY KEY,
  group_key           text        NOT NULL UNIQUE,
  receiver            text        NOT NULL,
  group_labels        jsonb       NOT NULL DEFAULT '{}',
  common_labels       jsonb       NOT NULL DEFAULT '{}',
  common_annotations  jsonb       NOT NULL DEFAULT '{}',
  external_url        text        NOT NULL DEFAULT '',
  status              text        NOT NULL CHECK (status IN ('firing', 'resolved')),
  truncated_alerts    integer     NOT NULL DEFAULT 0,
  -- The incident the group feeds now (its own, or the storm's when via_storm).
  incident_id         bigint REFERENCES incidents (id),
  via_storm           boolean     NOT NULL DEFAULT false,
  -- When the group last opened an incident channel of its own (storm accounting).
  declared_at         timestamptz,
  route_index         integer,
  -- For the paging engine: the escalation policy routing chose.
  escalation_policy   text,
  -- A lifecycle change still to make through the incident use-cases (after a crash, the sweeper makes it).
  pending_action      text CHECK (pending_action IN ('auto_resolve', 'reopen', 'raise_severity')),
  pending_severity    text CHECK (pending_severity IN ('P0', 'P1', 'P2', 'P3')),
  silence_id          text,
  silenced_until      timestamptz,
  silenced_by         text,
  first_seen_at       timestamptz NOT NULL,
  last_notification_at timestamptz NOT NULL
);
-- An incident of its own belongs to one group; a storm incident collects many.
CREATE UNIQUE INDEX alert_groups_own_incident ON alert_groups (incident_id)
  WHERE incident_id IS NOT NULL AND NOT via_storm;
CREATE INDEX alert_groups_incident ON alert_groups (incident_id);
CREATE INDEX alert_groups_declared ON alert_groups (declared_at) WHERE declared_at IS NOT NULL;
CREATE INDEX alert_groups_pending ON alert_groups (id) WHERE pending_action IS NOT NULL;

-- Each alert of a group, by Alertmanager's fingerprint (see core/alerts/merge.ts).
CREATE TABLE alert_states (
  group_id              bigint      NOT NULL REFERENCES alert_groups (id),
  fingerprint           text        NOT NULL,
  status                text        NOT NULL CHECK (status IN ('firing', 'resolved')),
  starts_at             timestamptz NOT NULL,
  ends_at               timestamptz,
  last_notification_at  timestamptz NOT NULL,
  labels                jsonb       NOT NULL DEFAULT '{}',
  annotations           jsonb       NOT NULL DEFAULT '{}',
  generator_url         text        NOT NULL DEFAULT '',
  PRIMARY KEY (group_id, fingerprint)
);
