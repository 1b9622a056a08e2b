/**
 * The simulation run's pool directory (test/simulation/suite.ts): new for every run, so no claim of
 * an earlier run counts, and removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    simPoolDir: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'sip-sim-pool-'));
  project.provide('simPoolDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
