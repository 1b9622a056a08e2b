import { productionDeps } from '../runtime/deps.ts';
import { createPlanEstablishedHandler } from './apply.ts';

export const handler = createPlanEstablishedHandler(productionDeps());
