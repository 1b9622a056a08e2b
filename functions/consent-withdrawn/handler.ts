import { productionDeps } from '../runtime/deps.ts';
import { createConsentWithdrawnHandler } from './apply.ts';

export const handler = createConsentWithdrawnHandler(productionDeps());
