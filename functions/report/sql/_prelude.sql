-- Shared by every KPI query (docs/kpis.md defines each on these). Portable SQL: the same text
-- runs on DuckDB (local, tests, bench) and on Amazon Athena (engine v3, Trino). Placeholders
-- (the columns,) ${county} ${from} ${to} ${deadlineDays} ${weekdays} ${maxMinutes} are filled with validated
-- literals by functions/report/kpis.ts. Dates are 'YYYY-MM-DD' strings, compared as text.
WITH f AS (
  -- The export may repeat a row (a stream batch retried): identical rows count once. The columns
  -- are named (not *): in Athena * also takes the partition column, the export's day.
  SELECT DISTINCT ${columns} FROM facts WHERE county = '${county}'
),
prot AS (
  -- A case that was ever protected is counted only in totals (docs/kpis.md, privacy).
  SELECT DISTINCT caseId FROM f WHERE protected = true
),
created AS (
  SELECT caseId, min(day) AS day, min(initiatorPrincipal) AS principal,
         min(initiatorOrgType) AS orgType, min(ageGroup) AS ageGroup,
         min(needDiscoveredOn) AS needDiscoveredOn
  FROM f
  WHERE kind = 'event' AND eventType = 'case.created' AND outcome = 'applied'
  GROUP BY caseId
),
open_created AS (
  SELECT * FROM created WHERE caseId NOT IN (SELECT caseId FROM prot)
),
summons AS (
  -- Each meeting as its latest applied summons (by event time) left it.
  SELECT * FROM (
    SELECT s.*, row_number() OVER (PARTITION BY s.caseId, s.meetingId ORDER BY s.occurredAt DESC, s.factId DESC) AS rn
    FROM f s
    WHERE s.kind = 'event' AND s.eventType = 'summons.sent' AND s.outcome = 'applied'
      AND s.caseId NOT IN (SELECT caseId FROM prot)
  ) x WHERE rn = 1
),
invitees AS (
  SELECT i.caseId, i.meetingId, i.inviteeId, i.obliged, s.startDay
  FROM f i JOIN summons s ON i.eventId = s.eventId
  WHERE i.kind = 'invitee'
),
answers AS (
  -- Each invitee's latest answer and its day.
  SELECT * FROM (
    SELECT a.caseId, a.meetingId, a.inviteeId, a.response, a.day,
           row_number() OVER (PARTITION BY a.caseId, a.meetingId, a.inviteeId ORDER BY a.occurredAt DESC, a.factId DESC) AS rn
    FROM f a
    WHERE a.kind = 'event' AND a.eventType = 'invitation.responded' AND a.outcome = 'applied'
  ) x WHERE rn = 1
),
first_answers AS (
  SELECT caseId, meetingId, inviteeId, min(day) AS day
  FROM f
  WHERE kind = 'event' AND eventType = 'invitation.responded' AND outcome = 'applied'
  GROUP BY caseId, meetingId, inviteeId
),
plans AS (
  SELECT * FROM f
  WHERE kind = 'event' AND eventType = 'plan.established' AND outcome = 'applied'
    AND caseId NOT IN (SELECT caseId FROM prot)
)
