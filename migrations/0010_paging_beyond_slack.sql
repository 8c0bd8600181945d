-- Paging beyond Slack: contact methods people add in Slack, their notification rules, one
-- durable delivery per (page, contact method) — the page webhook's deliveries generalised —
-- the per-number rate limit, ack codes and single-use ack links, handoff notices, and the
-- key that signs links and calendar feeds.

-- Contact methods added with `/oncall me add` (those in firebreak.yaml are not stored).
-- Used for pages only once verified; removing one keeps the row for the record.
CREATE TABLE contact_methods (
  id           bigserial PRIMARY KEY,
  user_id      text        NOT NULL,
  method_id    text        NOT NULL,
  type         text        NOT NULL CHECK (type IN ('email', 'sms', 'voice', 'ntfy')),
  target       text        NOT NULL,                    -- address, E.164 number or ntfy topic
  verified_at  timestamptz,
  created_at   timestamptz NOT NULL,
  removed_at   timestamptz
);
CREATE UNIQUE INDEX contact_methods_current ON contact_methods (user_id, method_id) WHERE removed_at IS NULL;

-- The code sent to a method being verified: a keyed hash, tried a few times, expiring.
CREATE TABLE contact_verifications (
  contact_method_id  bigint      PRIMARY KEY REFERENCES contact_methods (id),
  code_hash          text        NOT NULL,
  attempts           integer     NOT NULL DEFAULT 0,
  sent_at            timestamptz NOT NULL,
  expires_at         timestamptz NOT NULL
);

-- Rules set with `/oncall me rule`: each replaces the config's rule for that method;
-- a null delay switches it off.
CREATE TABLE notification_rules (
  user_id     text        NOT NULL,
  method_id   text        NOT NULL,
  after_ms    integer     CHECK (after_ms IS NULL OR after_ms BETWEEN 0 AND 86400000),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, method_id)
);

-- `/oncall me handoff on|off`.
CREATE TABLE person_settings (
  user_id               text        PRIMARY KEY,
  handoff_first_method  boolean     NOT NULL DEFAULT false,
  updated_at            timestamptz NOT NULL
);

-- Each page's ack code (typed in an SMS reply), the nonce its signed links carry (one use
-- for all of them), and how it was answered.
ALTER TABLE pages
  ADD COLUMN ack_code        text,
  ADD COLUMN ack_nonce       text,
  ADD COLUMN ack_expires_at  timestamptz,
  ADD COLUMN answered_at     timestamptz,
  ADD COLUMN answered_via    text;
CREATE INDEX pages_ack_code ON pages (user_id, ack_code) WHERE ack_code IS NOT NULL;

-- One delivery per (page, contact method): the page webhook's deliveries, generalised.
-- A delivery is claimed (attempt_started_at) in one transaction and its outcome recorded
-- in another, so no provider call holds a row lock and a delivery whose worker died
-- mid-call is recognisable (and checked with the provider before any second attempt).
ALTER TABLE page_webhook_deliveries RENAME TO page_deliveries;
ALTER SEQUENCE page_webhook_deliveries_id_seq RENAME TO page_deliveries_id_seq;
ALTER INDEX page_webhook_deliveries_due RENAME TO page_deliveries_due;
ALTER TABLE page_deliveries RENAME CONSTRAINT page_webhook_deliveries_pkey TO page_deliveries_pkey;
ALTER TABLE page_deliveries DROP CONSTRAINT page_webhook_deliveries_page_id_key;
ALTER TABLE page_deliveries
  ADD COLUMN user_id             text,
  ADD COLUMN method_id           text NOT NULL DEFAULT 'page_webhook',
  ADD COLUMN method_type         text NOT NULL DEFAULT 'webhook'
    CHECK (method_type IN ('slack', 'email', 'sms', 'voice', 'ntfy', 'webhook')),
  ADD COLUMN target              text NOT NULL DEFAULT '',   -- '' : the Slack DM, or FIREBREAK_PAGE_WEBHOOK_URL
  ADD COLUMN due_at              timestamptz,
  ADD COLUMN attempt_started_at  timestamptz,
  ADD COLUMN sent_at             timestamptz,
  ADD COLUMN provider_ref        text,                       -- Twilio SID, ntfy id, SMTP message id
  ADD COLUMN bundled_into        bigint REFERENCES page_deliveries (id);
UPDATE page_deliveries d SET user_id = p.user_id, due_at = d.created_at,
       sent_at = CASE WHEN d.status = 'delivered' THEN d.finished_at END
  FROM pages p WHERE p.id = d.page_id;
ALTER TABLE page_deliveries
  ALTER COLUMN user_id SET NOT NULL,
  ALTER COLUMN due_at SET NOT NULL,
  ALTER COLUMN method_id DROP DEFAULT,
  ALTER COLUMN method_type DROP DEFAULT,
  ALTER COLUMN target DROP DEFAULT,
  ADD CONSTRAINT page_deliveries_once UNIQUE (page_id, method_id);
ALTER TABLE page_deliveries RENAME CONSTRAINT page_webhook_deliveries_page_id_fkey TO page_deliveries_page_id_fkey;
ALTER TABLE page_deliveries RENAME CONSTRAINT page_webhook_deliveries_incident_id_fkey TO page_deliveries_incident_id_fkey;
ALTER TABLE page_deliveries RENAME CONSTRAINT page_webhook_deliveries_status_check TO page_deliveries_status_check;
CREATE INDEX page_deliveries_incident ON page_deliveries (incident_id, id);
-- Bundling: what else is waiting for the same number or address.
CREATE INDEX page_deliveries_waiting ON page_deliveries (method_type, target, next_attempt_at) WHERE status = 'pending';
-- An SMS reply names the last SMS sent to its number.
CREATE INDEX page_deliveries_sent ON page_deliveries (method_type, target, sent_at DESC) WHERE sent_at IS NOT NULL;

-- At most one SMS, call or email a minute per number or address: when the last one went.
CREATE TABLE contact_sends (
  method_type   text        NOT NULL,
  target        text        NOT NULL,
  last_sent_at  timestamptz NOT NULL,
  PRIMARY KEY (method_type, target)
);

-- Signed Twilio requests already acted on: the same signature again is a replay.
CREATE TABLE twilio_requests_seen (
  signature_sha256  text        PRIMARY KEY,
  seen_at           timestamptz NOT NULL
);
CREATE INDEX twilio_requests_seen_at ON twilio_requests_seen (seen_at);

-- "You are on call for primary from 09:00 …": sent once per shift.
CREATE TABLE handoff_notices (
  schedule     text        NOT NULL,
  user_id      text        NOT NULL,
  shift_start  timestamptz NOT NULL,
  shift_end    timestamptz NOT NULL,
  sent_at      timestamptz NOT NULL,
  PRIMARY KEY (schedule, user_id, shift_start)
);

-- The key that signs ack links and calendar feeds: made once per install, never shown.
CREATE TABLE signing_keys (
  name        text        PRIMARY KEY,
  secret      bytea       NOT NULL CHECK (length(secret) >= 32),
  created_at  timestamptz NOT NULL
);
INSERT INTO signing_keys (name, secret, created_at)
VALUES ('links',
        decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex'),
        now());
