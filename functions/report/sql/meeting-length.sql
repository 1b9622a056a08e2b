-- Meetings (their final summons) starting in the period within the county's maximum length.
SELECT 'within-max' AS dim, 'count' AS measure,
       sum(CASE WHEN durationMinutes <= ${maxMinutes} THEN 1 ELSE 0 END) AS n, count(*) AS total
FROM summons WHERE startDay BETWEEN '${from}' AND '${to}'
