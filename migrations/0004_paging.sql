-- Escalation paging: the state of record of each incident's escalation, the pages sent
-- (a unique key decides who sends, exactly once), durable incident timers (response-target
-- breach, status-update reminders, postmortem reminder), outbound webhook deliveries and
-- on-call overrides made in Slack. Redis only holds the timers' BullMQ jobs; a reconciler
-- rebuilds them from these tables.

CREATE TABLE escalations (
  incident_id      bigint PRIMARY KEY REFERENCES incidents (id),
  -- Bumped each time a reopened incident escalates again; pages of one run never repeat.
  run              integer     NOT NULL DEFAULT 1,
  -- 'none': no policy applied to the incident (recorded once, nobody is paged automatically).
  status           text        NOT NULL CHECK (status IN ('active', 'stopped', 'exhausted', 'none')),
  stop_reason      text,
  policy_name      text,
  snapshot         jsonb,                                -- the policy as it stood at the start
  started_at       timestamptz NOT NULL,
  current_step     integer     NOT NULL DEFAULT -1,      -- the step paged last; -1 before the first
  current_repeat   integer     NOT NULL DEFAULT 0,
  step_started_at  timestamptz NOT NULL,
  skip_to_next     boolean     NOT NULL DEFAULT false,   -- /incident escalate
  next_due_at      timestamptz,                          -- null unless active
  updated_at       timestamptz NOT NULL,
  CHECK (status <> 'active' OR (snapshot IS NOT NULL AND next_due_at IS NOT NULL))
);
CREATE INDEX escalations_due ON escalations (next_due_at) WHERE status = 'active';

-- One row per person paged. Inserted before the page is queued (in one transaction with
-- the Slack DM in the outbox): the key means nobody is paged twice for one step.
CREATE TABLE pages (
  id           bigserial PRIMARY KEY,
  incident_id  bigint      NOT NULL REFERENCES incidents (id),
  run          integer     NOT NULL,                    -- 0 for ad hoc pages
  step         integer     NOT NULL,                    -- -1 for ad hoc pages
  repeat       integer     NOT NULL,                    -- ad hoc: the page's number on the incident
  user_id      text        NOT NULL,
  reason       text        NOT NULL CHECK (reason IN ('escalation', 'adhoc')),
  paged_by     text        NOT NULL,
  due_at       timestamptz NOT NULL,
  created_at   timestamptz NOT NULL,
  UNIQUE (incident_id, run, step, repeat, user_id)
);

CREATE TABLE incident_timers (
  id           bigserial PRIMARY KEY,
  incident_id  bigint      NOT NULL REFERENCES incidents (id),
  kind         text        NOT NULL CHECK (kind IN ('sla_breach', 'status_update', 'postmortem')),
  due_at       timestamptz NOT NULL,
  status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'skipped', 'cancelled')),
  data         jsonb       NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL,
  finished_at  timestamptz
);
CREATE UNIQUE INDEX incident_timers_one_pending ON incident_timers (incident_id, kind) WHERE status = 'pending';
CREATE INDEX incident_timers_due ON incident_timers (due_at) WHERE status = 'pending';

-- A page to the outbound webhook (SMS/phone gateways), retried with backoff until
-- delivered or dead-lettered.
CREATE TABLE page_webhook_deliveries (
  id               bigserial PRIMARY KEY,
  page_id          bigint      NOT NULL UNIQUE REFERENCES pages (id),
  incident_id      bigint      NOT NULL REFERENCES incidents (id),
  body             jsonb       NOT NULL,
  status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'withdrawn')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL,
  finished_at      timestamptz
);
CREATE INDEX page_webhook_deliveries_due ON page_webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- `/oncall override`: merged with the overrides in firebreak.yaml when resolving schedules.
CREATE TABLE oncall_overrides (
  id          bigserial PRIMARY KEY,
  schedule    text        NOT NULL,
  user_id     text        NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL,
  removed_at  timestamptz,
  removed_by  text
);
CREATE INDEX oncall_overrides_current ON oncall_overrides (schedule, ends_at) WHERE removed_at IS NULL;
