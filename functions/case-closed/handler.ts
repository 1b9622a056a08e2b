import { productionDeps } from '../runtime/deps.ts';
import { createCaseClosedHandler } from './apply.ts';

export const handler = createCaseClosedHandler(productionDeps());
