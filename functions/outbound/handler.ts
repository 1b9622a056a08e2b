import { snsOutboundTopic } from '../adapters/outbound-topic.ts';
import { createOutboundHandler } from './apply.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; the stack (lib/) or local runtime sets it`);
  return value;
};

export const handler = createOutboundHandler({
  county: required('COUNTY_ID'),
  topic: snsOutboundTopic(required('OUTBOUND_TOPIC_ARN')),
});
