-- Ack codes are claimed per (person, code) (issue 10, burst paging). A page's four-digit
-- code was picked under a lock on the person after reading every open code they had, so
-- pages to one person were made one at a time and each read grew with the pages before it.
-- Now a code is claimed with one insert: the primary key keeps two open pages of one person
-- from sharing a code, and a code whose page was answered or has expired is taken over.
CREATE TABLE page_ack_codes (
  user_id    text        NOT NULL,
  code       text        NOT NULL,
  page_id    bigint      NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, code)
);
CREATE INDEX page_ack_codes_page ON page_ack_codes (page_id);

-- The codes open now (the newest page of a person and code, should two share one).
INSERT INTO page_ack_codes (user_id, code, page_id, expires_at)
SELECT DISTINCT ON (user_id, ack_code) user_id, ack_code, id, ack_expires_at
  FROM pages
 WHERE ack_code IS NOT NULL AND answered_at IS NULL AND ack_expires_at > now()
 ORDER BY user_id, ack_code, id DESC;
