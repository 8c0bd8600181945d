-- The escalation policy a declaration asked for (alert routing today, services later): kept on
-- the incident so that paging reads it from the incident, not from another feature's tables.
ALTER TABLE incidents ADD COLUMN escalation_policy text;

UPDATE incidents i
   SET escalation_policy = g.escalation_policy
  FROM (SELECT DISTINCT ON (incident_id) incident_id, escalation_policy
          FROM alert_groups
         WHERE incident_id IS NOT NULL AND escalation_policy IS NOT NULL
         ORDER BY incident_id, id) g
 WHERE g.incident_id = i.id;
