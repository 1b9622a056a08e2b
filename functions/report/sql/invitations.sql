-- Invitations of meetings starting in the period: answered (any answer) on a day before the
-- meeting's day; obliged units (an ongoing intervention) whose latest answer is that they come
-- or send a substitute.
SELECT 'answered-before' AS dim, 'count' AS measure,
       sum(CASE WHEN fa.day < i.startDay THEN 1 ELSE 0 END) AS n, count(*) AS total
FROM invitees i
LEFT JOIN first_answers fa ON fa.caseId = i.caseId AND fa.meetingId = i.meetingId AND fa.inviteeId = i.inviteeId
WHERE i.startDay BETWEEN '${from}' AND '${to}'
UNION ALL
SELECT 'obliged-attending', 'count',
       sum(CASE WHEN a.response IN ('accepted', 'substitute') THEN 1 ELSE 0 END), count(*)
FROM invitees i
LEFT JOIN answers a ON a.caseId = i.caseId AND a.meetingId = i.meetingId AND a.inviteeId = i.inviteeId
WHERE i.startDay BETWEEN '${from}' AND '${to}' AND i.obliged = true
