import { productionDeps } from '../runtime/deps.ts';
import { createInvitationRespondedHandler } from './apply.ts';

export const handler = createInvitationRespondedHandler(productionDeps());
