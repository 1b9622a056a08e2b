-- Follow-ups due in the period: held within 14 days of the due date when a later plan of the
-- same case was established within 14 days before or after it.
, due AS (
  SELECT DISTINCT caseId, followUpDueOn, day AS plannedOn FROM plans
  WHERE followUpDueOn BETWEEN '${from}' AND '${to}'
)
SELECT 'held-within-14-days' AS dim, 'count' AS measure,
       sum(CASE WHEN EXISTS (
         SELECT 1 FROM plans p
         WHERE p.caseId = due.caseId AND p.day > due.plannedOn
           AND abs(date_diff('day', CAST(due.followUpDueOn AS DATE), CAST(p.day AS DATE))) <= 14
       ) THEN 1 ELSE 0 END) AS n,
       count(*) AS total
FROM due
