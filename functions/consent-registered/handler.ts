import { productionDeps } from '../runtime/deps.ts';
import { createConsentRegisteredHandler } from './apply.ts';

export const handler = createConsentRegisteredHandler(productionDeps());
