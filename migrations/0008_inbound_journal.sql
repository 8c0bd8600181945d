-- Every Slack request (slash command, click, form) is written here before it is
-- acknowledged: a request Firebreak acked is never lost. A request whose work failed
-- after the ack (Postgres restarting, a process killed) stays pending and is replayed
-- through the same listeners; the use-cases' request keys make the replay idempotent.
CREATE TABLE inbound_journal (
  id bigserial PRIMARY KEY,
  -- SHA-256 of the payload: a redelivery of the same request is journaled once.
  key text NOT NULL UNIQUE,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- A replica replaying it holds it until then; after, another may take it over.
  leased_until timestamptz,
  finished_at timestamptz,
  error text
);

CREATE INDEX inbound_journal_pending ON inbound_journal (received_at) WHERE status = 'pending';
CREATE INDEX inbound_journal_finished ON inbound_journal (finished_at) WHERE status <> 'pending';
