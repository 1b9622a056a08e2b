/** The functions as the stack bundles them (esbuild, never Docker) load and initialise in plain Node. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { countyById } from '../../lib/counties.ts';
import { handlerEnvironment } from '../../lib/topology.ts';

describe('function bundles', () => {
  it('bundle with esbuild and initialise in a fresh Node process', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': ['Sip-Halland'] } });
    buildApp(app);
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const bundles = assets.map((a) => join(assembly.directory, a, 'index.mjs')).filter((f) => existsSync(f));
    expect(bundles.length).toBeGreaterThan(0);
    for (const bundle of bundles) {
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        {
          env: {
            ...process.env,
            ...handlerEnvironment(countyById('halland')),
            AWS_REGION: 'eu-north-1',
            SENDER_ADDRESS: 'sip@halland.example.se',
            REPLY_TO_ADDRESS: 'sip-svar@halland.example.se',
            FOLLOWUP_QUEUE_URL: 'https://sqs.eu-north-1.amazonaws.com/123456789012/sip-halland-followup-due',
          },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      expect(out.trim()).toBe('function');
    }
  });
});
