/**
 * How every function is bundled, in one place: the stack uses it, and the bundle-size benchmark
 * builds with the same options so its figures describe what production runs.
 */
import { join } from 'node:path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

export const projectRoot = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
export const handlerEntry = (handler: string) => join(projectRoot, 'functions', handler, 'handler.ts');

/** ESM needs `require` for the few CommonJS dependencies esbuild inlines. */
export const esmRequireBanner =
  "import { createRequire as __sipCreateRequire } from 'node:module'; const require = __sipCreateRequire(import.meta.url);";

export const bundling = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: esmRequireBanner,
  // Bundle the AWS SDK too: it starts faster than the runtime's copy and pins the version we test.
  externalModules: [],
  metafile: false,
} as const;
