-- SIPs started: cases created in the period; by initiator and by age group. A protected case is
-- in no row, the total included: the total less the breakdowns' sum would count them.
SELECT 'total' AS dim, 'count' AS measure, count(*) AS n, count(*) AS total
FROM open_created WHERE day BETWEEN '${from}' AND '${to}'
UNION ALL
SELECT 'initiator:' || coalesce(principal, 'unknown') || '/' || coalesce(orgType, 'unknown'), 'count', count(*),
       (SELECT count(*) FROM open_created WHERE day BETWEEN '${from}' AND '${to}')
FROM open_created WHERE day BETWEEN '${from}' AND '${to}'
GROUP BY 'initiator:' || coalesce(principal, 'unknown') || '/' || coalesce(orgType, 'unknown')
UNION ALL
SELECT 'age:' || coalesce(ageGroup, 'unknown'), 'count', count(*),
       (SELECT count(*) FROM open_created WHERE day BETWEEN '${from}' AND '${to}')
FROM open_created WHERE day BETWEEN '${from}' AND '${to}'
GROUP BY 'age:' || coalesce(ageGroup, 'unknown')
UNION ALL
SELECT 'month:' || substr(day, 1, 7), 'count', count(*),
       (SELECT count(*) FROM open_created WHERE day BETWEEN '${from}' AND '${to}')
FROM open_created WHERE day BETWEEN '${from}' AND '${to}'
GROUP BY 'month:' || substr(day, 1, 7)
