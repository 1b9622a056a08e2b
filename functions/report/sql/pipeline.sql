-- Pipeline health in the period: events rejected (by the queue's checks or a rule) by reason
-- and by source, and security deviations (forbidden fields dropped from a protected case).
SELECT 'reason:' || coalesce(reason, 'unknown') AS dim, 'count' AS measure, count(*) AS n, CAST(NULL AS BIGINT) AS total
FROM f WHERE outcome = 'rejected' AND day BETWEEN '${from}' AND '${to}'
GROUP BY 'reason:' || coalesce(reason, 'unknown')
UNION ALL
SELECT 'source:' || coalesce(source, 'unknown'), 'count', count(*), CAST(NULL AS BIGINT)
FROM f WHERE kind = 'rejection' AND day BETWEEN '${from}' AND '${to}'
GROUP BY 'source:' || coalesce(source, 'unknown')
UNION ALL
SELECT 'deviations', 'count', count(*), CAST(NULL AS BIGINT)
FROM f WHERE kind = 'deviation' AND day BETWEEN '${from}' AND '${to}'
