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

/**
 * An error's message as it may be logged: an AWS error can quote a recipient's address (SES) or a
 * value it refused, so anything that looks like an email address or a long number is masked, and
 * the text is cut short. The error's name says what went wrong; this is a hint, never the payload.
 */
export const loggableError = (error: unknown): { error: string; errorMessage: string } => {
  const e = error as Error;
  const message = String(e?.message ?? '')
    .replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '<address>')
    .replace(/\d[\d -]{5,}\d/g, '<number>')
    .slice(0, 200);
  return { error: String(e?.name ?? 'Error'), errorMessage: message };
};
