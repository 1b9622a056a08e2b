/**
 * `npm run ops` (issue 14) against the embedded stack: a case, rejections by source, a DLQ's
 * sanitised view, a redrive that names each DLQ's source queue, and the outbound events.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseView,
  dlqView,
  localTarget,
  main,
  type OpsTarget,
  redriveAll,
  rejections,
} from '../../lib/ops.ts';
import { publishScenario, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import { eventually, examplesDir, freshSummons, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
let target: OpsTarget;
let stackFile: string;
beforeAll(async () => {
  t = await startTestStack();
  stackFile = join(mkdtempSync(join(tmpdir(), 'sip-ops-')), 'stack.json');
  writeFileSync(
    stackFile,
    JSON.stringify({
      ...t.stack,
      log: t.logFile,
      ready: true,
      pid: process.pid,
      sesInbox: t.stack.endpoints.ses,
    }),
  );
  target = await localTarget(stackFile);
  await publishScenario(t.sqs, t.stack, join(examplesDir, 'protected'));
}, 180_000);
afterAll(async () => {
  target?.sqs.destroy();
  target?.sns.destroy();
  await t?.stop();
});

const run = async (...args: string[]) => {
  const lines: string[] = [];
  const code = await main([...args, '--stack', stackFile], (s) => lines.push(s));
  return { code, text: lines.join('\n') };
};

describe('npm run ops', () => {
  it('case: state, meetings, invitations (phone tasks here), plan and history; as a table and as JSON', async () => {
    const view = await caseView(target, 'case-hl-2001');
    expect(view?.case).toMatchObject({ status: 'closed', protectedIdentity: true });
    expect(view?.history.map((h) => h.type)).toContain('summons.sent');
    expect(view?.invitations.length).toBeGreaterThan(0);
    const table = await run('case', 'case-hl-2001');
    expect(table.code).toBe(0);
    expect(table.text).toMatch(/^Case case-hl-2001\n/);
    expect(table.text).toMatch(/History\n\s+occurredAt\s+type\s+eventId\s+outcome/);
    const json = await run('case', 'case-hl-2001', '--json');
    expect(JSON.parse(json.text).case.caseId).toBe('case-hl-2001');
    expect(json.text).not.toMatch(/@/);
    expect((await run('case', 'no-such-case')).code).toBe(1);
  });

  it('rejections: filtered by the publisher’s source', async () => {
    const mine = freshSummons(uniqueId('case'), {
      source: 'urn:se:halland:journal:ops-test',
      data: { meetingId: 'x' },
    });
    const other = freshSummons(uniqueId('case'), { data: { meetingId: 'x' } });
    for (const e of [mine, other])
      await publishBody(t.sqs, t.stack.queues, JSON.stringify(e), e.type as never);
    await waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 60_000);
    const list = await rejections(target, { source: 'urn:se:halland:journal:ops-test' });
    expect(list.map((r) => r.eventId)).toEqual([mine.id]);
    const text = await run('rejections', '--source', 'urn:se:halland:journal:ops-test');
    expect(text.text).toContain(mine.id);
    expect(text.text).not.toContain(other.id);
    await expect(run('rejections', '--since', 'yesterday')).rejects.toThrow(/--since must be a date/);
  });

  it('dlq: a count and ids only — never a payload value — and redrive moves them back to their source queue', async () => {
    const type = 'se.sip.case.closed.v1';
    const dlqUrl = target.queues[type]?.dlqUrl ?? '';
    const secret = 'Konferensrum Hemlig';
    await t.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: JSON.stringify({
          id: 'evt-parked-1',
          type,
          source: 'urn:x',
          subject: 'case-p',
          data: { note: secret },
        }),
      }),
    );
    const view = await dlqView(target, type);
    expect(view.parked).toBe(1);
    expect(view.messages).toEqual([
      expect.objectContaining({ id: 'evt-parked-1', type, source: 'urn:x', caseId: 'case-p' }),
    ]);
    const text = await run('dlq', type);
    expect(text.text).toContain('evt-parked-1');
    expect(text.text).not.toContain(secret);
    const moved = await redriveAll(target, type);
    expect(moved).toEqual([{ type, parked: 1, task: expect.any(String) }]);
    // It reaches the consumer again (and is rejected there: case-p does not exist … or waits).
    await eventually(
      async () => (await dlqView(target, type)).parked,
      (n) => n === 0,
    );
  });

  it('outbound: prints the outbound events as they come', async () => {
    const text = await run('outbound');
    expect(text.code).toBe(0);
    expect(text.text).toMatch(/case-hl-2001\s+1\s+case\.status-changed\s+awaiting-consent/);
  });

  it('tells how to use it', async () => {
    expect((await run('nonsense')).code).toBe(2);
  });
});
