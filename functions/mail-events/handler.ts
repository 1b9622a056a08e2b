import { DeliveryStore } from '../adapters/delivery-store.ts';
import { depsWithStore } from '../runtime/base-deps.ts';
import { createMailEventsHandler } from './apply.ts';

export const handler = createMailEventsHandler(depsWithStore((db, table) => new DeliveryStore(db, table)));
