-- Appending a timeline event in one round trip (issue 10, burst paging). The append took
-- three: the per-incident advisory lock, a read of the chain's last link, and the insert.
-- This function does the same three steps, in the same order, inside Postgres. In READ
-- COMMITTED each statement of a volatile function takes a new snapshot, so the last link is
-- read after the lock is held, as before. The caller sends the event's canonical JSON up to
-- its "seq" value, and the function hashes exactly what Node hashes:
--   sha256(prev_hash || '\n' || body_head || seq || '}'), hex.
-- Node recomputes the hash from the returned seq and prev_hash and refuses (rolling the
-- transaction back) if the two differ, so `audit verify` can never disagree with a write.
CREATE FUNCTION timeline_append(
  p_incident  bigint,
  p_at        timestamptz,
  p_actor     text,
  p_kind      text,
  p_data      jsonb,
  p_body_head text
) RETURNS TABLE (seq integer, prev_hash text, hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_seq  integer;
  v_prev text;
  v_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('timeline'), p_incident::int);
  SELECT t.seq, t.hash INTO v_seq, v_prev
    FROM timeline_events t WHERE t.incident_id = p_incident ORDER BY t.seq DESC LIMIT 1;
  v_seq := coalesce(v_seq, 0) + 1;
  v_prev := coalesce(v_prev, repeat('0', 64));
  v_hash := encode(sha256(convert_to(v_prev || E'\n' || p_body_head || v_seq::text || '}', 'UTF8')), 'hex');
  INSERT INTO timeline_events (incident_id, seq, at, actor, kind, data, prev_hash, hash)
  VALUES (p_incident, v_seq, p_at, p_actor, p_kind, p_data, v_prev, v_hash);
  RETURN QUERY SELECT v_seq, v_prev, v_hash;
END;
$$;
