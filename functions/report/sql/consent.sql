-- Cases with a refusal registered in the period; consents withdrawn in the period; consents
-- that lapsed in the period (the case's latest consent's last valid day, the case not closed
-- and the consent not withdrawn by then).
, latest_consent AS (
  SELECT * FROM (
    SELECT caseId, consentValidUntil, day,
           row_number() OVER (PARTITION BY caseId ORDER BY occurredAt DESC, factId DESC) AS rn
    FROM f WHERE kind = 'event' AND eventType = 'consent.registered' AND outcome = 'applied'
      AND consentsGiven > 0 AND consentValidUntil IS NOT NULL
  ) x WHERE rn = 1
)
SELECT 'refused' AS dim, 'count' AS measure, count(DISTINCT caseId) AS n, CAST(NULL AS BIGINT) AS total
FROM f WHERE kind = 'event' AND eventType = 'consent.registered' AND outcome = 'applied'
  AND consentsRefused > 0 AND day BETWEEN '${from}' AND '${to}'
  AND caseId NOT IN (SELECT caseId FROM prot)
UNION ALL
SELECT 'withdrawn', 'count', count(DISTINCT caseId), CAST(NULL AS BIGINT)
FROM f WHERE kind = 'event' AND eventType = 'consent.withdrawn' AND outcome = 'applied'
  AND day BETWEEN '${from}' AND '${to}' AND caseId NOT IN (SELECT caseId FROM prot)
UNION ALL
SELECT 'expired', 'count', count(*), CAST(NULL AS BIGINT)
FROM latest_consent l
WHERE l.consentValidUntil BETWEEN '${from}' AND '${to}'
  AND NOT EXISTS (
    -- Closed or withdrawn while the latest consent held (an earlier close or withdrawal ended
    -- an earlier consent, not this one).
    SELECT 1 FROM f x
    WHERE x.caseId = l.caseId AND x.kind = 'event' AND x.outcome = 'applied'
      AND x.eventType IN ('case.closed', 'consent.withdrawn')
      AND x.day >= l.day AND x.day <= l.consentValidUntil
  )
  AND l.caseId NOT IN (SELECT caseId FROM prot)
