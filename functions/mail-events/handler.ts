import { productionDeps } from '../runtime/deps.ts';
import { createMailEventsHandler } from './apply.ts';

export const handler = createMailEventsHandler(productionDeps());
