/**
 * Starts the three emulators once for the whole run, on free ports, and stops them afterwards.
 * If the run is killed before teardown, the watchdog ends Java when this process is gone.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type Endpoints, startEmulators } from '../../local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  project.provide('endpoints', emulators.endpoints);
  return async () => {
    await emulators.stop();
  };
}
