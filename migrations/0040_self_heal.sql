-- Self-healing alerts (issue 14): an alert route's remediation, run without a human approval
-- under its catalog guardrails, with paging held while the fix has its chance.

-- One self-heal per incident an alert opened: what the route asked for and how it went.
-- The row is the lock two replicas (or a process and the sweeper) take before starting it.
CREATE TABLE self_heals (
  id             bigserial PRIMARY KEY,
  incident_id    bigint      NOT NULL UNIQUE REFERENCES incidents (id),
  group_id       bigint      NOT NULL REFERENCES alert_groups (id),
  route_index    integer     NOT NULL,
  route_match    jsonb       NOT NULL DEFAULT '{}',      -- the route's matchers, for the record
  command        text        NOT NULL,
  params         jsonb       NOT NULL DEFAULT '{}',
  page_after_ms  integer,                                -- null: paging was not held
  -- pending: not started yet; running: its auto-approved run is under way; offered: a
  -- guardrail declined it and it waits for a human approval; refused: policy refused it;
  -- skipped: never started (the alert cleared, the incident ended, no channel in time);
  -- succeeded / failed: how its run ended; healed: the alert cleared after it succeeded;
  -- recovered: the alert cleared before it had finished.
  state          text        NOT NULL CHECK (state IN ('pending', 'running', 'offered', 'refused', 'skipped',
                                                      'succeeded', 'failed', 'healed', 'recovered')),
  run_id         bigint      REFERENCES runs (id),
  reason         text,
  created_at     timestamptz NOT NULL,
  started_at     timestamptz,
  finished_at    timestamptz,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX self_heals_pending ON self_heals (created_at) WHERE state = 'pending';
CREATE INDEX self_heals_by_run ON self_heals (run_id) WHERE run_id IS NOT NULL;

-- The guardrail's figures when an alert's remediation was (or was not) pre-approved.
ALTER TABLE runs ADD COLUMN auto_approval jsonb;

-- Paging held while a self-heal has its chance. While held_until is set the escalation pages
-- nobody; its next look (next_due_at) is held_until, when it pages saying hold_expiry_reason
-- unless the hold was extended, released (page_note says why, with the first page) or the
-- escalation stopped (healed).
ALTER TABLE escalations
  ADD COLUMN held_until          timestamptz,
  ADD COLUMN hold_reason         text,
  ADD COLUMN hold_expiry_reason  text,
  ADD COLUMN page_note           text;
