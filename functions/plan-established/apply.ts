/** se.sip.plan.established.v1: the meeting was held and the plan set (step 5). */
import { decidePlan } from '../core/lifecycle.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createPlanEstablishedHandler = caseConsumer(
  'se.sip.plan.established.v1',
  (county, loaded, event) => decidePlan(county, loaded.case, loaded.meetings, event),
);
