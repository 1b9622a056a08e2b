import { describe, expect, it } from 'vitest';
import { containsPersonalNumber, parseEvent } from '../../events/contracts.ts';
import { freshCaseCreated } from '../support/fixtures.ts';

const type = 'se.sip.case.created.v1';

describe('parseEvent: readable, payload-free reasons', () => {
  it('accepts the example event', () => {
    const result = parseEvent(JSON.stringify(freshCaseCreated()), type);
    expect(result.ok).toBe(true);
  });
  it('names invalid JSON', () => {
    expect(parseEvent('{"specversion": "1.0",', type)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the message body is not valid JSON/),
    });
  });
  it('never quotes the broken body in the reason', () => {
    const result = parseEvent('{"personalIdentityNumber": "19121212-1212", oops}', type);
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the message body is not valid JSON/),
    });
    expect(JSON.stringify(result)).not.toContain('1212');
  });
  it('names a body that is not an object', () => {
    expect(parseEvent('[1,2]', type)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must be a JSON object/),
    });
  });
  it('names an unknown type and keeps the event id and its source (whom to tell, issue 14)', () => {
    const event = { ...freshCaseCreated(), type: 'se.sip.case.exploded.v1' };
    expect(parseEvent(JSON.stringify(event), type)).toEqual({
      ok: false,
      reason: 'unknown event type "se.sip.case.exploded.v1"; this queue accepts "se.sip.case.created.v1"',
      eventId: event.id,
      caseId: event.subject,
      source: (event as Record<string, unknown>).source,
    });
  });
  it('keeps no source that is not a readable URI-reference or carries a personal identity number', () => {
    for (const source of ['', 'x'.repeat(257), 'urn:x y', 'urn:journal:19121212-1212', 42]) {
      const event = { ...freshCaseCreated(), type: 'se.sip.case.exploded.v1', source };
      expect(parseEvent(JSON.stringify(event), type)).not.toHaveProperty('source');
    }
  });
  it('names a known type sent to the wrong queue', () => {
    const event = { ...freshCaseCreated(), type: 'se.sip.followup.due.v1' };
    expect(parseEvent(JSON.stringify(event), type)).toMatchObject({
      reason: expect.stringMatching(/was sent to the queue for/),
    });
  });
  it('names a missing id', () => {
    const { id: _id, ...event } = freshCaseCreated();
    const result = parseEvent(JSON.stringify(event), type);
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^id: Invalid input: expected string/),
    });
    expect(result).not.toHaveProperty('eventId');
  });
  it('names each wrong field by its path, without echoing the value', () => {
    const event = freshCaseCreated({ data: { protectedIdentity: 'SECRET-VALUE', ageGroup: 'toddler' } });
    const result = parseEvent(JSON.stringify(event), type);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(
      'data.protectedIdentity: Invalid input: expected boolean, received string',
    );
    expect(result.reason).toContain(
      'data.ageGroup: Invalid option: expected one of "child"|"young-adult"|"adult"',
    );
    expect(result.reason).not.toContain('SECRET-VALUE');
  });
  it('rejects unknown fields: the contract is strict', () => {
    const event = freshCaseCreated({ data: { personalIdentityNumber: '20100101-1234' } });
    const result = parseEvent(JSON.stringify(event), type);
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/data: Unrecognized key: "personalIdentityNumber"/),
    });
    expect(JSON.stringify(result)).not.toContain('20100101-1234');
  });
  it('refuses a personal identity number used as the case id', () => {
    const event = freshCaseCreated({ subject: '201001011234' });
    expect(parseEvent(JSON.stringify(event), type)).toMatchObject({
      reason: expect.stringMatching(/subject: The case id looks like or contains a personal identity number/),
    });
  });
  it('wrong specversion', () => {
    const event = { ...freshCaseCreated(), specversion: '0.3' };
    expect(parseEvent(JSON.stringify(event), type)).toMatchObject({
      reason: 'specversion: specversion must be "1.0"',
    });
  });
});

describe('real upstream clients: any valid CloudEvents 1.0 event', () => {
  it('an event built with the official CloudEvents SDK for JavaScript (no datacontenttype, UTC time with milliseconds)', async () => {
    const { CloudEvent } = await import('cloudevents');
    const example = freshCaseCreated();
    const built = new CloudEvent({
      id: example.id,
      source: 'urn:se:halland:journal:bup-system',
      type,
      subject: example.subject,
      time: '2026-11-20T07:15:00.000Z',
      data: example.data,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const body = JSON.stringify(built);
    expect(JSON.parse(body)).not.toHaveProperty('datacontenttype');
    const result = parseEvent(body, type);
    expect(result).toMatchObject({
      ok: true,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    // Extension attributes are ignored: the handler never sees them.
    if (result.ok) expect(result.event).not.toHaveProperty('traceparent');
  });
  it('extension attributes are accepted and never reach the handler; a badly named one is refused', () => {
    const accepted = parseEvent(JSON.stringify({ ...freshCaseCreated(), tracestate: 'x=1', ttl: 30 }), type);
    expect(accepted.ok).toBe(true);
    if (accepted.ok) expect(Object.keys(accepted.event)).not.toContain('tracestate');
    expect(parseEvent(JSON.stringify({ ...freshCaseCreated(), 'trace-state': 'x' }), type)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a CloudEvents attribute name/),
    });
  });
  it('time: any RFC 3339 offset, lower-case t and z, nanoseconds; never a local time or an impossible date', () => {
    for (const time of [
      '2026-11-20T08:15:00+01:00',
      '2026-11-20T07:15:00Z',
      '2026-11-20t07:15:00.5z',
      '2026-11-20T02:15:00.123456789-05:00',
    ])
      expect(parseEvent(JSON.stringify({ ...freshCaseCreated(), time }), type).ok, time).toBe(true);
    for (const time of [
      '2026-11-20T08:15:00',
      '2026-02-30T08:15:00Z',
      '2026-11-20T08:15Z',
      '2026-11-20 08:15:00Z',
    ])
      expect(parseEvent(JSON.stringify({ ...freshCaseCreated(), time }), type).ok, time).toBe(false);
  });
});

describe('personal identity numbers never become ids', () => {
  it('an envelope id or source containing a personal or coordination number is refused, and not kept in the rejection', () => {
    for (const id of ['evt-19121212-1212', 'x.121212-1212', 'evt-201001611233']) {
      const result = parseEvent(JSON.stringify({ ...freshCaseCreated(), id }), type);
      expect(result, id).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^id: id looks like or contains/),
      });
      expect(result).not.toHaveProperty('eventId');
    }
    const source = parseEvent(
      JSON.stringify({ ...freshCaseCreated(), source: 'urn:pnr:191212121212' }),
      type,
    );
    expect(source).toMatchObject({ ok: false, reason: expect.stringMatching(/^source: /) });
  });
  it('a subject that contains one is not stored as the rejection’s case id', () => {
    const result = parseEvent(JSON.stringify(freshCaseCreated({ subject: 'case-19121212-1212' })), type);
    expect(result).toMatchObject({ ok: false });
    expect(result).not.toHaveProperty('caseId');
    expect(JSON.stringify(result)).not.toContain('1212-1212');
  });
  it('random ids (UUIDs) are not mistaken for one, not even the one in a million whose groups look like one', () => {
    for (let i = 0; i < 100_000; i++) {
      const id = crypto.randomUUID();
      expect(containsPersonalNumber(id), id).toBe(false);
    }
    // 12 digits in the last group that pass for 1912-12-12-1212 (Luhn included): still a UUID.
    expect(containsPersonalNumber('3f2b9c1e-4a7d-4c2e-9b1a-191212121212')).toBe(false);
    expect(containsPersonalNumber('evt 191212121212')).toBe(true);
    expect(containsPersonalNumber('case-hl-1001')).toBe(false);
    expect(containsPersonalNumber('20260101')).toBe(false); // a date alone
  });
});
