-- Insights (issue 13): follow-ups of incidents, the weekly report's once-per-week key, a
-- cache of Slack profiles for people's names, and the indexes the insights aggregates read.

-- An incident's follow-ups (`/incident followup <text>`), tickable in Slack and on the
-- incident page; every change is also recorded in the timeline.
CREATE TABLE follow_ups (
  id           bigserial PRIMARY KEY,
  incident_id  bigint      NOT NULL REFERENCES incidents (id),
  number       integer     NOT NULL CHECK (number >= 1),    -- 1, 2, … within the incident
  text         text        NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
  created_by   text        NOT NULL,
  created_at   timestamptz NOT NULL,
  done_at      timestamptz,
  done_by      text,
  -- The channel message carrying its tick button, edited in place when it is ticked.
  channel_id   text,
  message_ts   text,
  CHECK ((done_at IS NULL) = (done_by IS NULL)),
  UNIQUE (incident_id, number)
);
CREATE INDEX follow_ups_open ON follow_ups (created_at) WHERE done_at IS NULL;

-- One weekly report per week, whichever worker gets there first: the primary key decides,
-- and the report's Slack message is queued in the same transaction as this row.
CREATE TABLE weekly_reports (
  week_start  date        PRIMARY KEY,                        -- Monday, in the config's time zone
  channel     text        NOT NULL,
  created_at  timestamptz NOT NULL
);

-- Names and time zones of Slack users as users.info last reported them. Read on every
-- page; refreshed in the background through the outbox, never on a request.
CREATE TABLE slack_profiles (
  user_id       text        PRIMARY KEY,
  name          text,                                         -- null until Slack answered
  time_zone     text,
  fetched_at    timestamptz,
  requested_at  timestamptz NOT NULL,
  error         text
);

-- The insights aggregates: incidents and pages by time, runs by time, and alert events
-- by time (timeline_events_kind covers kind + at already).
CREATE INDEX incidents_declared_at ON incidents (declared_at)
  INCLUDE (severity, source, state, acknowledged_at, acknowledged_by, resolved_at);
CREATE INDEX pages_created_at ON pages (created_at) INCLUDE (user_id, incident_id);
CREATE INDEX runs_requested_at ON runs (requested_at) INCLUDE (incident_id, command, state);
