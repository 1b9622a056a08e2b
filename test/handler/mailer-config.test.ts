/** The mailer refuses a bad sender address at cold start, before it claims anything. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countyById } from '../../lib/counties.ts';
import { handlerEnvironment } from '../../lib/topology.ts';

const stubEnv = (over: Record<string, string>) => {
  const env: Record<string, string> = {
    ...handlerEnvironment(countyById('halland')),
    AWS_REGION: 'eu-north-1',
    SENDER_ADDRESS: 'SIP Halland <sip@halland.example.se>',
    REPLY_TO_ADDRESS: 'sip-svar@halland.example.se',
    CALENDAR_REPLY_ADDRESS: 'sip-kalender@halland.example.se',
    ...over,
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('mailer configuration', () => {
  it('starts with a well-formed sender and reply-to address', async () => {
    stubEnv({});
    const mod = await import('../../functions/mailer/handler.ts');
    expect(typeof mod.handler).toBe('function');
  });

  it.each([
    ['SENDER_ADDRESS', 'sip@halland.example.se, other@example.com'],
    ['REPLY_TO_ADDRESS', 'a@b@c'],
    ['CALENDAR_REPLY_ADDRESS', 'not an address'],
  ])('refuses %s = %j at cold start, naming the variable', async (name, value) => {
    stubEnv({ [name]: value });
    await expect(import('../../functions/mailer/handler.ts')).rejects.toThrow(new RegExp(name));
  });
});
