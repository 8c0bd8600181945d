-- Runs of catalog commands (diagnostics and remediations), their approvals, and long
-- outputs waiting to be uploaded to Slack as files.

CREATE TABLE runs (
  id                bigserial PRIMARY KEY,              -- the run number users see (run #N)
  incident_id       bigint REFERENCES incidents (id),   -- null: requested outside an incident channel
  command           text        NOT NULL,
  kind              text        NOT NULL CHECK (kind IN ('diagnostic', 'remediation')),
  target_type       text        NOT NULL,
  target            text        NOT NULL,
  params            jsonb       NOT NULL DEFAULT '{}',
  requested_by      text        NOT NULL,
  via               text        NOT NULL,
  channel_id        text,
  response_url      text,
  state             text        NOT NULL CHECK (state IN (
                      'previewing', 'awaiting_approval', 'approved', 'running',
                      'succeeded', 'failed', 'denied', 'expired', 'interrupted')),
  exclusive         boolean     NOT NULL DEFAULT false,
  approvals_needed  integer     NOT NULL DEFAULT 0,
  approver_roles    text[]      NOT NULL DEFAULT '{}',
  preview           jsonb,
  approval_ts       text,                               -- the Slack message with Approve/Deny
  auto_approved     boolean     NOT NULL DEFAULT false,
  timeout_ms        integer     NOT NULL,
  requested_at      timestamptz NOT NULL,
  expires_at        timestamptz,
  started_at        timestamptz,
  deadline_at       timestamptz,                        -- past it, a running run is presumed dead
  finished_at       timestamptz,
  outcome           jsonb
);
CREATE INDEX runs_by_command_target ON runs (command, target, started_at DESC);
CREATE INDEX runs_unfinished ON runs (state) WHERE state IN ('previewing', 'awaiting_approval', 'approved', 'running');
-- One run per target at a time: a second exclusive run on a target cannot start.
CREATE UNIQUE INDEX runs_one_running_per_target ON runs (target_type, target)
  WHERE exclusive AND state = 'running';

-- One row per approval or denial; the key makes a double click one approval.
CREATE TABLE run_approvals (
  run_id    bigint      NOT NULL REFERENCES runs (id),
  user_id   text        NOT NULL,
  decision  text        NOT NULL CHECK (decision IN ('approve', 'deny')),
  at        timestamptz NOT NULL,
  PRIMARY KEY (run_id, user_id)
);

-- Full (redacted) output too long for a message, until the outbox has uploaded it.
CREATE TABLE run_outputs (
  run_id    bigint PRIMARY KEY REFERENCES runs (id),
  filename  text   NOT NULL,
  content   text   NOT NULL
);
