/**
 * Logger and metrics singletons. The logger never receives an event payload: call sites pass
 * ids and outcomes only (see docs/decisions.md, "No payloads in logs").
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();
export const metrics = new Metrics();
export { MetricUnit };
