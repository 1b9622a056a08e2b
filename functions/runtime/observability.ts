/**
 * The logger singleton and the metrics factory. The logger never receives an event payload: call sites pass
 * ids and outcomes only (see docs/decisions.md, "No payloads in logs").
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();
export const createMetrics = (defaultDimensions: Record<string, string>) =>
  new Metrics({ defaultDimensions });
export { MetricUnit };
