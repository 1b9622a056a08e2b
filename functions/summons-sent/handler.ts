import { productionDeps } from '../runtime/deps.ts';
import { createSummonsSentHandler } from './apply.ts';

export const handler = createSummonsSentHandler(productionDeps());
