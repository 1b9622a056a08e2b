import { DeliveryStore } from '../adapters/delivery-store.ts';
import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { parseMailbox } from '../adapters/mime.ts';
import { sesSender } from '../adapters/ses.ts';
import { depsWithStore } from '../runtime/base-deps.ts';
import { requiredEnv, secondsEnv } from '../runtime/required-env.ts';
import { createMailerHandler } from './apply.ts';

const deps = depsWithStore((db, table) => new DeliveryStore(db, table));
const requiredAddress = (name: string) => {
  const v = requiredEnv(name);
  try {
    return parseMailbox(v); // at cold start: a bad address must stop the function, not each send
  } catch (error) {
    throw new Error(`environment variable ${name}: ${(error as Error).message}`, { cause: error });
  }
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
  sendDoubtSeconds: secondsEnv('SEND_DOUBT_SECONDS', 1),
  // Each invitation links to its invitee's page (issue 13) where the stack serves the pages.
  ...(process.env.INVITATION_BASE_URL
    ? { invitationLinks: { baseUrl: process.env.INVITATION_BASE_URL, key: linkKeyFromEnv() } }
    : {}),
});
