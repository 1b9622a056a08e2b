import { productionDeps } from '../runtime/deps.ts';
import { createCaseCreatedHandler } from './apply.ts';

export const handler = createCaseCreatedHandler(productionDeps());
