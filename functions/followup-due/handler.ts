import { productionDeps } from '../runtime/deps.ts';
import { createFollowupDueHandler } from './apply.ts';

export const handler = createFollowupDueHandler(productionDeps());
