import { productionDeps } from '../runtime/deps.ts';
import { createSweepVisitHandler } from './apply.ts';

export const handler = createSweepVisitHandler(productionDeps());
