import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import Ajv2020 from 'ajv/dist/2020.js';
import {
  emailStatusChange,
  outboundChanges,
  outboundEvents,
  type OutboundEvent,
  outboundTypes,
  rejectionEvent,
} from '../../functions/core/outbound.ts';
import { outboundSchema, outboundTypeList } from '../../events/contracts/outbound.ts';
import { caseRecord, invitee, meeting, snap } from '../support/outbound.ts';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { eventTypes, schemas } from '../../events/contracts.ts';
import { parseEvent } from '../../events/contracts.ts';
import { renderContracts, withSemanticsTable } from '../../events/render.ts';
import { DEFAULT_ORDERING_WAIT_SECONDS } from '../../functions/runtime/consumer.ts';
import { projectRoot } from '../../local/stack-file.ts';
import { examplesDir, freshCaseCreated } from '../support/fixtures.ts';

const eventsDir = join(projectRoot, 'events');
const ajv = new Ajv2020.default({ strict: true, allErrors: true, strictTypes: false });
addFormats.default(ajv);
const validators = Object.fromEntries(
  Object.keys(schemas).map((t) => [
    t,
    ajv.compile(JSON.parse(readFileSync(join(eventsDir, 'schema', `${t}.json`), 'utf8'))),
  ]),
);
const examples = ['normal', 'protected'].flatMap((scenario) =>
  readdirSync(join(examplesDir, scenario))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: `${scenario}/${f}`,
      event: JSON.parse(readFileSync(join(examplesDir, scenario, f), 'utf8')),
    })),
);

describe('generated contract files', () => {
  it('are up to date with events/contracts.ts (run npm run gen:contracts)', () => {
    for (const [file, content] of Object.entries(renderContracts())) {
      expect(readFileSync(join(eventsDir, file), 'utf8'), `events/${file} is stale`).toBe(content);
    }
  });

  it('docs/semantics.md says what the AsyncAPI document says, per type (run npm run gen:contracts)', () => {
    const doc = readFileSync(join(projectRoot, 'docs', 'semantics.md'), 'utf8');
    expect(withSemanticsTable(doc), 'the table in docs/semantics.md is stale').toBe(doc);
    // The waits both documents state are the consumers' own.
    expect(DEFAULT_ORDERING_WAIT_SECONDS).toBe(900);
  });

  it('the AsyncAPI document parses without errors', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), join(eventsDir, 'asyncapi.yaml')).parse();
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    // one queue per inbound type, and the outbound topic (issue 14)
    expect(document?.channels().length).toBe(Object.keys(eventTypes).length + 1);
    const ops = document?.operations().all() ?? [];
    expect(ops.filter((o) => o.action() === 'receive')).toHaveLength(Object.keys(eventTypes).length);
    expect(ops.filter((o) => o.action() === 'send').map((o) => o.messages().all()[0]?.name())).toEqual(
      outboundTypeList,
    );
  });

  it('document every field', () => {
    const undocumented: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, child] of Object.entries(props ?? {})) {
        const described = Boolean(child.description || child.anyOf || child.oneOf);
        if (!described) undocumented.push(path ? `${path}.${key}` : key);
        walk(child, path ? `${path}.${key}` : key);
      }
      for (const k of ['items', 'anyOf', 'oneOf'] as const) {
        const v = node[k];
        if (Array.isArray(v)) for (const c of v) walk(c as Record<string, unknown>, path);
        else if (v && typeof v === 'object') walk(v as Record<string, unknown>, `${path}[]`);
      }
    };
    for (const t of Object.keys(schemas)) {
      walk(JSON.parse(readFileSync(join(eventsDir, 'schema', `${t}.json`), 'utf8')), '');
    }
    expect(undocumented).toEqual([]);
  });
});

describe('example scenarios', () => {
  it('take one case through creation, two guardians’ consent, a summons, a response, the plan, a follow-up and closing', () => {
    for (const scenario of ['normal', 'protected']) {
      const types = examples.filter((e) => e.name.startsWith(scenario)).map((e) => e.event.type);
      expect(types).toEqual([
        eventTypes.caseCreated,
        eventTypes.consentRegistered,
        eventTypes.consentRegistered,
        eventTypes.summonsSent,
        eventTypes.invitationResponded,
        eventTypes.planEstablished,
        eventTypes.followupDue,
        eventTypes.caseClosed,
      ]);
    }
  });
  it('summon the region, the municipality and a school, at reserved example domains', () => {
    for (const e of examples.filter((x) => x.event.type === eventTypes.summonsSent)) {
      const invitees = e.event.data.invitees as {
        principal: string;
        organisationType: string;
        email: string;
      }[];
      expect(invitees.map((i) => i.principal)).toEqual(expect.arrayContaining(['region', 'municipality']));
      expect(invitees.some((i) => i.organisationType === 'school')).toBe(true);
      for (const i of invitees) {
        // The protected scenario carries no email addresses at all: invitees are called.
        if (e.name.startsWith('protected')) expect(i.email).toBeUndefined();
        else expect(i.email).toMatch(/@([a-z0-9-]+\.)*example\.(se|org|com)$/);
      }
    }
  });
  it('the protected scenario’s case has protectedIdentity: true', () => {
    expect(
      examples.find((e) => e.name === 'protected/01-case-created.json')?.event.data.protectedIdentity,
    ).toBe(true);
  });

  for (const { name, event } of examples) {
    it(`${name} is valid for ajv (independent validator) and for zod`, () => {
      const validate = validators[event.type];
      expect(validate, `no schema for ${event.type}`).toBeDefined();
      expect(validate?.(event), JSON.stringify(validate?.errors)).toBe(true);
      expect(parseEvent(JSON.stringify(event), event.type)).toMatchObject({ ok: true });
    });
  }
});

describe('ajv and zod agree on valid CloudEvents 1.0 variants', () => {
  const validate = validators[eventTypes.caseCreated];
  const { datacontenttype: _omitted, ...withoutContentType } = freshCaseCreated();
  const cases: [string, Record<string, unknown>][] = [
    ['no datacontenttype (JSON is the default)', withoutContentType],
    [
      'datacontenttype with a parameter',
      { ...freshCaseCreated(), datacontenttype: 'application/json; charset=utf-8' },
    ],
    [
      'tracing extension attributes',
      {
        ...freshCaseCreated(),
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        tracestate: 'congo=t61rcWkgMzE',
      },
    ],
    ['an integer and a boolean extension', { ...freshCaseCreated(), partition: 3, replayed: true }],
    [
      'time in UTC with milliseconds (the CloudEvents SDK)',
      { ...freshCaseCreated(), time: '2026-11-20T07:15:00.000Z' },
    ],
    ['time with a negative offset', { ...freshCaseCreated(), time: '2026-11-20T02:15:00-05:00' }],
    ['time with nanoseconds', { ...freshCaseCreated(), time: '2026-11-20T08:15:00.123456789+01:00' }],
  ];
  for (const [label, event] of cases) {
    it(label, () => {
      expect(validate?.(event), JSON.stringify(validate?.errors)).toBe(true);
      expect(parseEvent(JSON.stringify(event), eventTypes.caseCreated)).toMatchObject({ ok: true });
    });
  }
});

describe('ajv and zod agree on an answer’s details going with their own answer (invitation.responded)', () => {
  const validate = validators[eventTypes.invitationResponded];
  const example = JSON.parse(
    readFileSync(join(eventsDir, 'examples', 'normal', '05-invitation-responded.json'), 'utf8'),
  ) as { data: Record<string, unknown> };
  const withData = (data: Record<string, unknown>) => ({ ...example, data: { ...example.data, ...data } });
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['attendee with accepted', { response: 'accepted', attendee: { name: 'A', role: 'B' } }, true],
    ['attendee with declined', { response: 'declined', attendee: { name: 'A', role: 'B' } }, false],
    [
      'substitute with substitute-proposed',
      { response: 'substitute-proposed', substitute: { name: 'A', email: 'a@b.se' } },
      true,
    ],
    ['substitute with accepted', { response: 'accepted', substitute: { name: 'A', email: 'a@b.se' } }, false],
    ['message with clarification', { response: 'clarification', message: 'Varför?' }, true],
    ['message with received', { response: 'received', message: 'Varför?' }, false],
  ];
  for (const [label, data, ok] of cases) {
    it(`${label}: ${ok ? 'valid' : 'invalid'} for both`, () => {
      const event = withData(data);
      expect(validate?.(event), JSON.stringify(validate?.errors)).toBe(ok);
      expect(parseEvent(JSON.stringify(event), eventTypes.invitationResponded).ok).toBe(ok);
    });
  }
});

describe('ajv and zod agree on invalid events', () => {
  const validate = validators[eventTypes.caseCreated];
  const cases: [string, Record<string, unknown>][] = [
    ['wrong specversion', { ...freshCaseCreated(), specversion: '0.3' }],
    ['an attribute name CloudEvents does not allow', { ...freshCaseCreated(), Extra_Attr: 1 }],
    ['an extension attribute that is an object', { ...freshCaseCreated(), extra: { a: 1 } }],
    ['datacontenttype that is not JSON', { ...freshCaseCreated(), datacontenttype: 'text/xml' }],
    ['wrong field type', freshCaseCreated({ data: { protectedIdentity: 'yes' } })],
    ['unknown age group', freshCaseCreated({ data: { ageGroup: 'baby' } })],
    ['bad date', freshCaseCreated({ data: { needDiscoveredOn: '2026-02-30' } })],
    ['time without offset', { ...freshCaseCreated(), time: '2026-11-20T08:15:00' }],
  ];
  for (const [label, event] of cases) {
    it(label, () => {
      expect(validate?.(event)).toBe(false);
      expect(parseEvent(JSON.stringify(event), eventTypes.caseCreated).ok).toBe(false);
    });
  }
});

describe('outbound events (issue 14): what the rules build is valid for ajv and for zod', () => {
  const compiled = new Map(
    outboundTypeList.map((t) => [
      t,
      ajv.compile(JSON.parse(readFileSync(join(eventsDir, 'schema', 'outbound', `${t}.json`), 'utf8'))),
    ]),
  );
  const a = invitee('inv-a');
  const b = invitee('inv-b', { hasOngoingIntervention: false });
  const m1 = meeting([a, b]);
  const m2 = meeting(
    [
      { ...a, response: { value: 'accepted', version: 'v2', eventId: 'e2' } },
      { ...b, removed: true },
    ],
    { clarifications: [{ inviteeId: 'inv-a', message: 'Vad?', version: 'v3', eventId: 'e3' }], sequence: 1 },
  );
  const followUp = meeting([invitee('coordinator')], { meetingId: 'm-2', kind: 'follow-up', allDay: true });
  const prot = caseRecord({ protectedIdentity: true, status: 'plan-active' });
  const called = meeting([
    { ...a, email: undefined, phoneOutcome: { value: 'unreachable', version: 'v1', eventId: 'p' } },
  ]);
  const changes = [
    ...outboundChanges('halland', snap(undefined), snap(caseRecord(), [m1])),
    ...outboundChanges(
      'halland',
      snap(caseRecord(), [m1]),
      snap(caseRecord({ status: 'stopped', stopReason: 'consent-withdrawn' }), [m2, followUp]),
    ),
    ...outboundChanges('halland', snap(caseRecord(), [m1]), snap(prot, [m1])),
    ...outboundChanges('halland', snap(prot, [m1]), snap(prot, [called])),
    {
      ...outboundChanges('halland', snap(caseRecord()), {
        ...snap(caseRecord()),
        notices: new Map([
          [
            'n-1',
            {
              caseId: 'case-1',
              noticeId: 'n-1',
              kind: 'unconfirmed-invitations',
              params: { meetingId: 'm-1', units: 'inv-b' },
              recipients: [],
              version: 'v1',
            },
          ],
        ]),
      } as never)[0],
    } as never,
    // A held meeting's family survey (issue 15), as the table holds it (the publisher adds the link)
    ...outboundChanges('halland', snap(prot, [{ ...m1, status: 'held' }]), {
      ...snap(prot, [{ ...m1, status: 'held' }]),
      notices: new Map([
        [
          'family.1',
          {
            caseId: 'case-1',
            noticeId: 'family.1',
            kind: 'family-survey',
            params: { meetingId: 'm-1' },
            recipients: [],
            version: 'v4',
          },
        ],
      ]),
    } as never),
    // What became of an invitation's emails (the mailer, SES's reports)
    ...(['sent', 'delivered', 'bounced', 'complained', 'failed'] as const).map((s) =>
      emailStatusChange('halland', { caseId: 'case-1', meetingId: 'm-1', inviteeId: 'inv-a' }, s, {
        meetingSequence: 1,
        action: s === 'sent' ? 'cancel' : 'request',
      }),
    ),
  ];
  const committed = outboundEvents('halland', 'case-1', 0, changes, '2026-12-01T10:00:00.000Z');
  const events: OutboundEvent[] = [
    ...committed,
    // … and as the publisher sends it, with its printable page's link.
    ...committed
      .filter((e) => e.type === outboundTypes.familySurveyReady)
      .map((e) => ({
        ...e,
        data: { ...e.data, printUrl: `https://sip.halland.example.se/p/${'a'.repeat(60)}.${'b'.repeat(27)}` },
      })),
    rejectionEvent('halland', 'msg-1', {
      county: 'halland',
      eventId: 'evt-1',
      eventType: 'se.sip.summons.sent.v1',
      source: 'urn:se:halland:journal:bup-system',
      caseId: 'case-1',
      reason: 'data.meetingId: Invalid input',
      rejectedAt: '2026-12-01T10:00:00.000Z',
    }),
  ];
  it('covers every outbound type', () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(outboundTypeList));
  });
  it.each(events.map((e, i) => [`${i} ${e.type}`, e] as const))('%s', (_, event) => {
    const validate = compiled.get(event.type);
    expect(validate?.(event), JSON.stringify(validate?.errors)).toBe(true);
    const parsed = outboundSchema(event.type).safeParse(event);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
  it('both refuse an email status without the email it is about, or an answer with one', () => {
    const sent = events.find((e) => e.data.email !== undefined) as (typeof events)[number];
    const { email: _, ...withoutEmail } = sent.data;
    for (const bad of [
      { ...sent, data: withoutEmail },
      { ...sent, data: { ...sent.data, status: 'accepted' } },
    ]) {
      expect(compiled.get(bad.type)?.(bad)).toBe(false);
      expect(outboundSchema(bad.type).safeParse(bad).success).toBe(false);
    }
  });
  it('both refuse an event carrying an address or a field the contract does not name', () => {
    const [first] = events;
    const bad = { ...first, data: { ...(first?.data ?? {}), email: 'x@y.se' } };
    expect(compiled.get(bad.type as never)?.(bad)).toBe(false);
    expect(outboundSchema(bad.type as never).safeParse(bad).success).toBe(false);
  });
});
