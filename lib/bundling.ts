/**
 * How every function is bundled, in one place: the stack uses it, and the bundle-size benchmark
 * builds with the same options so its figures describe what production runs.
 */
import { join } from 'node:path';
import { AssetHashType, DockerImage, aws_lambda as lambda } from 'aws-cdk-lib';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, buildSync } from 'esbuild';

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

/**
 * The invitation page is bundled with code splitting (docs/decisions.md): a page view, which is
 * what a cold start usually serves, loads one file; what only an answer needs (its contract, the
 * county's rules and the pipeline, imported on the first POST) and the parts of the SDK it loads
 * lazily stay in chunks beside it. NodejsFunction always writes a single file (`--outfile`), so
 * the page is built with esbuild's API into its asset directory. bench/page.ts builds it (and its
 * floor) with these same options.
 */
export const splitBuildOptions = (entry: string, outdir: string): BuildOptions => ({
  entryPoints: [entry],
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: bundling.target,
  minify: bundling.minify,
  sourcemap: bundling.sourceMap,
  sourcesContent: bundling.sourcesContent,
  mainFields: [...bundling.mainFields],
  banner: { js: esmRequireBanner },
  outdir,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});

/** A function's code built with `splitBuildOptions` (its handler: `index.handler`). */
export const splitCode = (handler: string): lambda.Code =>
  lambda.Code.fromAsset(join(projectRoot, 'functions', handler), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: the local build below always runs (esbuild is a dependency of this project).
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string) {
          buildSync(splitBuildOptions(handlerEntry(handler), outputDir));
          return true;
        },
      },
    },
  });
