-- How the person (the child) took part, per plan established in the period.
SELECT 'participation:' || coalesce(participation, 'unknown') AS dim, 'count' AS measure, count(*) AS n,
       (SELECT count(*) FROM plans WHERE day BETWEEN '${from}' AND '${to}') AS total
FROM plans WHERE day BETWEEN '${from}' AND '${to}'
GROUP BY 'participation:' || coalesce(participation, 'unknown')
