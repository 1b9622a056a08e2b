-- Cases closed in the period, by reason (seed 002).
SELECT 'reason:' || coalesce(closeReason, 'unknown') AS dim, 'count' AS measure, count(*) AS n,
       (SELECT count(*) FROM f WHERE kind = 'event' AND eventType = 'case.closed' AND outcome = 'applied'
          AND day BETWEEN '${from}' AND '${to}' AND caseId NOT IN (SELECT caseId FROM prot)) AS total
FROM f WHERE kind = 'event' AND eventType = 'case.closed' AND outcome = 'applied'
  AND day BETWEEN '${from}' AND '${to}' AND caseId NOT IN (SELECT caseId FROM prot)
GROUP BY 'reason:' || coalesce(closeReason, 'unknown')
