/**
 * A CloudFormation custom resource (issue 13): CloudFormation creates SES receipt rule sets but
 * has no way to make one the account's active set, so the stack does it here. On delete it turns
 * receiving off only while this stack's rule set is still the active one (another may have been
 * activated since). Answers CloudFormation through the pre-signed response URL it sends.
 */
import {
  DescribeActiveReceiptRuleSetCommand,
  SESClient,
  SetActiveReceiptRuleSetCommand,
} from '@aws-sdk/client-ses';

export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { RuleSetName?: string };
}

export interface Ses {
  activate(name: string | undefined): Promise<void>;
  active(): Promise<string | undefined>;
}

const sesClient = (): Ses => {
  const client = new SESClient({});
  return {
    async activate(name) {
      await client.send(new SetActiveReceiptRuleSetCommand(name ? { RuleSetName: name } : {}));
    },
    async active() {
      return (await client.send(new DescribeActiveReceiptRuleSetCommand({}))).Metadata?.Name;
    },
  };
};

export const activateRuleSet = async (event: CustomResourceEvent, ses: Ses): Promise<string> => {
  const name = event.ResourceProperties.RuleSetName;
  if (!name) throw new Error('RuleSetName is missing');
  if (event.RequestType === 'Delete') {
    if ((await ses.active()) === name) await ses.activate(undefined);
  } else {
    await ses.activate(name);
  }
  return `active-receipt-rule-set:${name}`;
};

export const respond = async (
  event: CustomResourceEvent,
  outcome: { ok: true; physicalId: string } | { ok: false; reason: string },
  put: typeof fetch = fetch,
): Promise<void> => {
  const body = JSON.stringify({
    Status: outcome.ok ? 'SUCCESS' : 'FAILED',
    Reason: outcome.ok ? 'done' : outcome.reason.slice(0, 1000),
    PhysicalResourceId: outcome.ok
      ? outcome.physicalId
      : (event.PhysicalResourceId ?? `active-receipt-rule-set:${event.LogicalResourceId}`),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const response = await put(event.ResponseURL, {
    method: 'PUT',
    // The pre-signed URL is signed for an empty content type.
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  if (!response.ok) throw new Error(`CloudFormation did not take the response: HTTP ${response.status}`);
};

let ses: Ses | undefined;
export const handler = async (event: CustomResourceEvent): Promise<void> => {
  ses ??= sesClient();
  try {
    await respond(event, { ok: true, physicalId: await activateRuleSet(event, ses) });
  } catch (error) {
    await respond(event, { ok: false, reason: (error as Error).message });
  }
};
