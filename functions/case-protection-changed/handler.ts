import { productionDeps } from '../runtime/deps.ts';
import { createCaseProtectionChangedHandler } from './apply.ts';

export const handler = createCaseProtectionChangedHandler(productionDeps());
