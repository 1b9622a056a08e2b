/** `.local/stack.json`: the contract other tools (publish, tests, bench) read. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsumedType as EventType } from '../lib/topology.ts';
import type { Endpoints } from './emulators.ts';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const localDir = join(projectRoot, '.local');
export const stackFile = join(localDir, 'stack.json');
export const logFileRelative = '.local/runtime.log';

export interface StackFile {
  county: string;
  /** `invitations`: the base URL of the invitation pages (issue 13). */
  /** `oidc`: the local OpenID provider's issuer, when the pages require sign-in. */
  endpoints: Endpoints & { invitations?: string; oidc?: string };
  /** SES receiving on the emulators (issue 13): `npm run inbound -- <file.eml>` uses it. */
  inbound?: { bucket: string; prefix: string; topicArn: string };
  /** Outbound events (issue 14): the SNS FIFO topic and `queueUrl`, a FIFO queue subscribed to all of it. */
  outbound?: { topicArn: string; queueUrl: string };
  /** The KPI export (issue 15): `npm run report` reads the facts under `prefix` in `bucket`. */
  export?: { bucket: string; prefix: string };
  tables: string[];
  queues: Record<EventType, { url: string; dlqUrl: string }>;
  log: string;
  ready: boolean;
  pid: number;
  /** Event types that have no consumer yet: their events wait in the queue. */
  waitingTypes: EventType[];
  sesInbox: string;
}

export const writeStackFile = (content: StackFile): void => {
  mkdirSync(localDir, { recursive: true });
  writeFileSync(stackFile, `${JSON.stringify(content, null, 2)}\n`);
};

export const readStackFile = (): StackFile => {
  if (!existsSync(stackFile))
    throw new Error(`${stackFile} does not exist; start the local stack first with \`npm start\``);
  const content = JSON.parse(readFileSync(stackFile, 'utf8')) as StackFile;
  if (!content.ready)
    throw new Error('the local stack is not ready (stack.json says ready: false); is `npm start` running?');
  return content;
};
