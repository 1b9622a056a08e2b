import { DeliveryStore } from '../adapters/delivery-store.ts';
import { productionDeps } from '../runtime/deps.ts';
import { createMailEventsHandler } from './apply.ts';

export const handler = createMailEventsHandler(productionDeps((db, table) => new DeliveryStore(db, table)));
