/** CDK app: one stack per shipped county, checked by cdk-nag's AWS Solutions rules on every synth. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CountyConfig, counties } from './counties.ts';
import { SipStack } from './sip-stack.ts';

export const stackName = (county: CountyConfig) => `Sip-${county.stackSuffix}`;

export const buildApp = (app = new App()): { app: App; stacks: SipStack[] } => {
  const stacks = counties.map(
    (county) =>
      new SipStack(app, stackName(county), {
        county,
        stackName: stackName(county),
        description: `SIP coordination for ${county.displayName}`,
        env: { account: county.account, region: county.region },
        tags: { application: 'sip-coordination', county: county.id },
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
