import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../events/contracts.ts';
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
  it('names an unknown type and keeps the event id', () => {
    const event = { ...freshCaseCreated(), type: 'se.sip.case.exploded.v1' };
    expect(parseEvent(JSON.stringify(event), type)).toEqual({
      ok: false,
      reason: 'unknown event type "se.sip.case.exploded.v1"; this queue accepts "se.sip.case.created.v1"',
      eventId: event.id,
      caseId: event.subject,
    });
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
      reason: expect.stringMatching(/subject: The case id looks like a personal identity number/),
    });
  });
  it('wrong specversion', () => {
    const event = { ...freshCaseCreated(), specversion: '0.3' };
    expect(parseEvent(JSON.stringify(event), type)).toMatchObject({
      reason: 'specversion: specversion must be "1.0"',
    });
  });
});
