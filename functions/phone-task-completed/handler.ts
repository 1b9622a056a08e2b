import { productionDeps } from '../runtime/deps.ts';
import { createPhoneTaskCompletedHandler } from './apply.ts';

export const handler = createPhoneTaskCompletedHandler(productionDeps());
