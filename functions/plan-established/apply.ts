/** se.sip.plan.established.v1: the meeting was held and the plan set (step 5). */
import { planEstablishedContract } from '../../events/contracts/plan-established.ts';
import { decidePlan } from '../core/lifecycle.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createPlanEstablishedHandler = caseConsumer(planEstablishedContract, (county, loaded, event) =>
  decidePlan(county, loaded.case, loaded.meetings, event),
);
