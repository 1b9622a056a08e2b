import { DeliveryStore } from '../adapters/delivery-store.ts';
import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { parseMailbox } from '../adapters/mime.ts';
import { sesSender } from '../adapters/ses.ts';
import { depsWithStore } from '../runtime/base-deps.ts';
import { createMailerHandler } from './apply.ts';

const deps = depsWithStore((db, table) => new DeliveryStore(db, table));
const requiredAddress = (name: string) => {
  const v = process.env[name];
  if (!v)
    throw new Error(`environment variable ${name} is not set; the stack (lib/) or local runtime sets it`);
  try {
    return parseMailbox(v); // at cold start: a bad address must stop the function, not each send
  } catch (error) {
    throw new Error(`environment variable ${name}: ${(error as Error).message}`, { cause: error });
  }
};
const seconds = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined) return undefined;
  if (!(Number(v) > 0))
    throw new Error(`environment variable ${name} must be a number of seconds, not "${v}"`);
  return Number(v);
};

export const handler = createMailerHandler({
  ...deps,
  sender: sesSender(process.env.SES_CONFIGURATION_SET || undefined),
  addresses: {
    from: requiredAddress('SENDER_ADDRESS'),
    replyTo: requiredAddress('REPLY_TO_ADDRESS'),
    calendarReply: requiredAddress('CALENDAR_REPLY_ADDRESS'),
    countyId: deps.county.id,
    countyName: deps.county.displayName,
  },
  sendDoubtSeconds: seconds('SEND_DOUBT_SECONDS'),
  // Each invitation links to its invitee's page (issue 13) where the stack serves the pages.
  ...(process.env.INVITATION_BASE_URL
    ? { invitationLinks: { baseUrl: process.env.INVITATION_BASE_URL, key: linkKeyFromEnv() } }
    : {}),
});
