/** The one place a handler reads its environment: fail fast at init with a clear message. */
import { type County, parseCountyRules } from '../core/county.ts';
import { requiredEnv as required, secondsEnv } from './required-env.ts';

export interface HandlerEnv {
  tableName: string;
  county: County;
  /** The consumer's own queue, where deferred events are put back. */
  queueUrl?: string;
  orderingWaitSeconds?: number;
  /** The mailer's queue, for consumers that create invitations. */
  mailQueueUrl?: string;
  /** The consumer's own DLQ, for consumers that park sanitised copies of protected events. */
  dlqUrl?: string;
  /** The sweep-visit queue, for the daily sweep. */
  visitQueueUrl?: string;
}

export const readEnv = (): HandlerEnv => {
  const id = required('COUNTY_ID');
  let rules: County['rules'];
  try {
    rules = parseCountyRules(required('COUNTY_RULES'));
  } catch (error) {
    throw new Error(`COUNTY_RULES is not a valid county rule set: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const wait = secondsEnv('ORDERING_WAIT_SECONDS');
  return {
    tableName: required('TABLE_NAME'),
    county: { id, displayName: process.env.COUNTY_NAME ?? id, rules },
    queueUrl: process.env.QUEUE_URL || undefined,
    mailQueueUrl: process.env.MAIL_QUEUE_URL || undefined,
    dlqUrl: process.env.DLQ_URL || undefined,
    visitQueueUrl: process.env.VISIT_QUEUE_URL || undefined,
    orderingWaitSeconds: wait,
  };
};
