-- Plans established in the period, and those with a next follow-up date.
SELECT 'with-follow-up' AS dim, 'count' AS measure,
       sum(CASE WHEN followUpDueOn IS NOT NULL THEN 1 ELSE 0 END) AS n, count(*) AS total
FROM plans WHERE day BETWEEN '${from}' AND '${to}'
