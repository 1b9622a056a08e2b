-- Days from the need being discovered to the first meeting, for cases created in the period
-- that have one: nearest-rank median and 90th percentile, and the share within the county's rule.
, firsts AS (
  SELECT c.caseId, c.needDiscoveredOn,
         min(s.startDay) AS startDay
  FROM open_created c JOIN summons s ON s.caseId = c.caseId
  WHERE c.day BETWEEN '${from}' AND '${to}' AND c.needDiscoveredOn IS NOT NULL
  GROUP BY c.caseId, c.needDiscoveredOn
),
d AS (
  SELECT x.caseId, x.days, w.startWeekday,
         row_number() OVER (ORDER BY x.days, x.caseId) AS r, count(*) OVER () AS c
  FROM (
    SELECT caseId, startDay, date_diff('day', CAST(needDiscoveredOn AS DATE), CAST(startDay AS DATE)) AS days
    FROM firsts
  ) x
  LEFT JOIN (SELECT caseId, startDay, min(startWeekday) AS startWeekday FROM summons GROUP BY caseId, startDay) w
    ON w.caseId = x.caseId AND w.startDay = x.startDay
)
SELECT 'cases' AS dim, 'count' AS measure, count(*) AS n, count(*) AS total FROM d
UNION ALL
SELECT 'median-days', 'days', min(CASE WHEN r >= ceil(0.5 * c) THEN days END), max(c) FROM d
UNION ALL
SELECT 'p90-days', 'days', min(CASE WHEN r >= ceil(0.9 * c) THEN days END), max(c) FROM d
UNION ALL
SELECT 'within-rule', 'count',
       sum(CASE WHEN days <= ${deadlineDays} AND startWeekday IN (${weekdays}) THEN 1 ELSE 0 END), count(*)
FROM d
