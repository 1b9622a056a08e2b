import { productionDeps } from '../runtime/deps.ts';
import { runSweep } from './apply.ts';

const deps = productionDeps();

/** Invoked by EventBridge Scheduler; `{ "now": "<ISO time>" }` in the payload replays a day. */
export const handler = async (event: { now?: string } = {}) =>
  runSweep({ ...deps, now: () => (event.now ? new Date(event.now) : new Date()) });
