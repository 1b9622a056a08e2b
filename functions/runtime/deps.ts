/** Production dependencies of a case consumer (its store commits changes), built once at init. */
import { CaseStore } from '../adapters/case-store.ts';
import { type ConsumerDeps, depsWithStore } from './base-deps.ts';

export type { ConsumerDeps } from './base-deps.ts';

export const productionDeps = (): ConsumerDeps => depsWithStore((db, t) => new CaseStore(db, t));
