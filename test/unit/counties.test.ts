import { describe, expect, it } from 'vitest';
import { counties, countyById, countyConfigSchema } from '../../lib/counties.ts';

describe('shipped county configuration', () => {
  it('ships Gävleborg, Halland, Stockholm (Haninge routine) and Värmland in an EU region', () => {
    expect(counties.map((c) => c.id)).toEqual(['gavleborg', 'halland', 'stockholm', 'varmland']);
    for (const c of counties) expect(c.region).toMatch(/^eu-/);
  });
  it('Gävleborg: meetings on a Friday within three weeks (seed 000)', () => {
    expect(countyById('gavleborg').rules).toMatchObject({ meetingWeekdays: [5], meetingDeadlineDays: 21 });
  });
  it('Halland: within 30 days, at most two hours, consent at most one year (seed 002)', () => {
    expect(countyById('halland').rules).toMatchObject({
      meetingDeadlineDays: 30,
      maxMeetingMinutes: 120,
      maxConsentValidityDays: 365,
    });
  });
  it('Värmland: the coordinator works in health care or social services; schools do not initiate (seed 004)', () => {
    expect(countyById('varmland').rules).toMatchObject({
      schoolsMayInitiate: false,
      coordinatorOrganisationTypes: ['health-care', 'psychiatry', 'social-services'],
    });
  });
  it('emails do not show the meeting purpose unless a county says so', () => {
    for (const c of counties) expect(c.rules.emailShowsPurpose).toBe(false);
  });
  it('invitation page sign-in (issue 13): OpenID Connect needs an https issuer and a client id; none is the default', () => {
    const halland = countyById('halland');
    expect(halland.invitationPage).toBeUndefined();
    const oidc = (o: unknown) => countyConfigSchema.safeParse({ ...halland, invitationPage: o }).success;
    expect(oidc({ signIn: 'oidc', oidc: { issuer: 'https://idp.example.se', clientId: 'sip' } })).toBe(true);
    expect(oidc({ signIn: 'oidc', oidc: { issuer: 'http://idp.example.se', clientId: 'sip' } })).toBe(false);
    expect(oidc({ signIn: 'oidc' })).toBe(false);
    expect(oidc({ signIn: 'oidc', oidc: { issuer: 'https://idp.example.se', clientId: '' } })).toBe(false);
    expect(oidc({ signIn: 'none' })).toBe(true);
  });
  it('rejects a county outside the EU', () => {
    const bad = { ...countyById('halland'), region: 'us-east-1' };
    expect(countyConfigSchema.safeParse(bad).success).toBe(false);
  });
  it('names an unknown county', () => {
    expect(() => countyById('atlantis')).toThrow(/unknown county "atlantis"; known: gavleborg, halland/);
  });
});
