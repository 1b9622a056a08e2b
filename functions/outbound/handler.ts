import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { snsOutboundTopic } from '../adapters/outbound-topic.ts';
import { createOutboundHandler } from './apply.ts';
import { requiredEnv as required } from '../runtime/required-env.ts';

export const handler = createOutboundHandler({
  county: required('COUNTY_ID'),
  topic: snsOutboundTopic(required('OUTBOUND_TOPIC_ARN')),
  ...(process.env.INVITATION_BASE_URL
    ? { familyLinks: { baseUrl: process.env.INVITATION_BASE_URL, key: linkKeyFromEnv() } }
    : {}),
});
