-- The outbox sends outside its transaction (issue 10): a call is claimed ('sending') in a
-- short transaction, made, then recorded. A process killed between the call and the record
-- leaves the row 'sending'; the leader recovers it by asking Slack whether it happened
-- (message metadata, the channel list, pins, the topic) before it would send it again.
ALTER TABLE slack_outbox DROP CONSTRAINT slack_outbox_status_check;
ALTER TABLE slack_outbox ADD CONSTRAINT slack_outbox_status_check
  CHECK (status IN ('pending', 'sending', 'done', 'failed', 'skipped'));
ALTER TABLE slack_outbox ADD COLUMN claimed_at timestamptz;   -- when the latest attempt was made
ALTER TABLE slack_outbox ADD COLUMN claim_token text;         -- whose attempt it is (its record checks it)

-- Calls in flight hold their channel's place in line, and are what recovery looks at.
CREATE INDEX slack_outbox_sending ON slack_outbox (channel_key, id) WHERE status = 'sending';
-- Seeds a new leader's per-method sliding minute with the calls made in the last minute.
CREATE INDEX slack_outbox_claimed ON slack_outbox (claimed_at) WHERE claimed_at IS NOT NULL;
