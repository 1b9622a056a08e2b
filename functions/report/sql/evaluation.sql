-- Meeting evaluations answered in the period (issue 15): per respondent (unit, child, guardian)
-- and question, the answers that agree (4 or 5 on the 1–5 scale) of all answers. Anonymous:
-- evaluation facts carry no case.
SELECT respondent || ':' || question AS dim, 'count' AS measure,
       sum(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS n, count(*) AS total
FROM f WHERE kind = 'evaluation' AND day BETWEEN '${from}' AND '${to}'
GROUP BY respondent || ':' || question
