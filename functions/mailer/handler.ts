import { sesSender } from '../adapters/ses.ts';
import { productionDeps } from '../runtime/deps.ts';
import { createMailerHandler } from './apply.ts';

const deps = productionDeps();
const required = (name: string) => {
  const v = process.env[name];
  if (!v)
    throw new Error(`environment variable ${name} is not set; the stack (lib/) or local runtime sets it`);
  return v;
};

export const handler = createMailerHandler({
  ...deps,
  sender: sesSender(process.env.SES_CONFIGURATION_SET || undefined),
  addresses: {
    from: required('SENDER_ADDRESS'),
    replyTo: required('REPLY_TO_ADDRESS'),
    countyId: deps.county.id,
    countyName: deps.county.displayName,
  },
});
