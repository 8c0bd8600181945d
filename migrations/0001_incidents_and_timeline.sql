-- Incidents, their append-only hash-chained timeline, the Slack outbox and inbound
-- idempotency keys.

CREATE TABLE incidents (
  id                  bigserial PRIMARY KEY,          -- the incident number users see (#N)
  title               text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description         text        NOT NULL DEFAULT '',
  severity            text        NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
  state               text        NOT NULL CHECK (state IN ('declared', 'acknowledged', 'mitigated', 'resolved')),
  source              text        NOT NULL DEFAULT 'slack',
  declared_by         text        NOT NULL,
  commander           text,
  comms               text,
  scribe              text,
  channel_id          text UNIQUE,
  channel_name        text,
  summary_ts          text,
  declared_at         timestamptz NOT NULL,
  acknowledged_at     timestamptz,
  acknowledged_by     text,
  mitigated_at        timestamptz,
  resolved_at         timestamptz,
  resolved_by         text,
  resolution_summary  text,
  checklist           jsonb       NOT NULL DEFAULT '[]',
  version             integer     NOT NULL DEFAULT 0,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_open ON incidents (state) WHERE state <> 'resolved';

-- incident_id 0 is the workspace-wide chain (attempts that named no incident).
CREATE TABLE timeline_events (
  incident_id  bigint      NOT NULL,
  seq          integer     NOT NULL CHECK (seq >= 1),
  at           timestamptz NOT NULL,
  actor        text        NOT NULL,
  kind         text        NOT NULL,
  data         jsonb       NOT NULL,
  prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (incident_id, seq)
);
CREATE INDEX timeline_events_kind ON timeline_events (kind, at);

CREATE FUNCTION timeline_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'timeline_events is append-only: % refused (a correction is a new event)', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER timeline_events_append_only
  BEFORE UPDATE OR DELETE ON timeline_events
  FOR EACH ROW EXECUTE FUNCTION timeline_events_refuse_change();

CREATE TRIGGER timeline_events_no_truncate
  BEFORE TRUNCATE ON timeline_events
  FOR EACH STATEMENT EXECUTE FUNCTION timeline_events_refuse_change();

-- Every Slack Web API call Firebreak makes, durable until Slack accepted it.
CREATE TABLE slack_outbox (
  id            bigserial PRIMARY KEY,
  kind          text        NOT NULL DEFAULT 'raw',    -- handler that renders / continues it
  method        text        NOT NULL,
  args          jsonb       NOT NULL DEFAULT '{}',
  context       jsonb       NOT NULL DEFAULT '{}',
  incident_id   bigint,
  channel_key   text        NOT NULL,                  -- calls with one key go out in order, paced
  coalesce_key  text,                                  -- at most one pending call per key
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
  attempts      integer     NOT NULL DEFAULT 0,
  not_before    timestamptz NOT NULL DEFAULT now(),
  last_error    text,
  result        jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  done_at       timestamptz
);
CREATE INDEX slack_outbox_due ON slack_outbox (not_before, id) WHERE status = 'pending';
CREATE INDEX slack_outbox_channel ON slack_outbox (channel_key, id) WHERE status = 'pending';
CREATE UNIQUE INDEX slack_outbox_coalesce ON slack_outbox (coalesce_key)
  WHERE status = 'pending' AND coalesce_key IS NOT NULL;

-- Idempotency of inbound requests (Slack retries, double clicks, duplicate webhooks).
CREATE TABLE inbound_requests (
  key          text PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now()
);
