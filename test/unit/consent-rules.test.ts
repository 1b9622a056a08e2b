import { describe, expect, it } from 'vitest';
import type { ConsentRegistered, ConsentWithdrawn } from '../../events/contracts.ts';
import type { CaseRecord } from '../../functions/core/case.ts';
import {
  type ConsentRecord,
  checkRoleAllowed,
  checkValidity,
  decideConsentRegistered,
  decideConsentWithdrawn,
  isComplete,
} from '../../functions/core/consent.ts';
import { countyById } from '../../lib/counties.ts';
import { freshCaseCreated, freshConsent, freshWithdrawal } from '../support/fixtures.ts';
import { fold } from '../support/fold.ts';
import { sampleCase } from '../support/records.ts';

const halland = countyById('halland');
const varmland = countyById('varmland');

const child: CaseRecord = sampleCase();
const adult: CaseRecord = { ...child, ageGroup: 'adult' };

const consent = (
  parties: { partyId: string; role: string; decision?: 'given' | 'refused' }[],
  data: Record<string, unknown> = {},
) =>
  freshConsent('case-1', {
    data: {
      givenBy: parties.map(({ partyId, role }) => ({ partyId, role })),
      decision: parties[0]?.decision ?? 'given',
      ...data,
    },
  }) as unknown as ConsentRegistered;

const apply = (c: CaseRecord, existing: ConsentRecord | undefined, event: ConsentRegistered) => {
  const d = decideConsentRegistered(halland, c, existing, event);
  if (d.kind !== 'apply') throw new Error(`expected apply, got: ${d.reason}`);
  return d;
};

describe('who may consent (seeds 002, 004)', () => {
  it('Halland: for a child with two guardians, both are needed; the first leaves the consent partial (seed 002)', () => {
    const first = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 2 }),
    );
    expect(first.consent.status).toBe('partial');
    expect(first.caseChange.status).toBe('awaiting-consent');
    expect(first.summary).toContain('1 of 2 guardians');
    const second = apply(
      child,
      first.consent,
      consent([{ partyId: 'g-b', role: 'guardian' }], { guardianCount: 2, method: 'oral' }),
    );
    expect(second.consent.status).toBe('complete');
    expect(second.caseChange.status).toBe('consented');
  });
  it('Halland: the same guardian twice does not complete a two-guardian consent (seed 002)', () => {
    const first = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 2 }),
    );
    const again = apply(
      child,
      first.consent,
      consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 2 }),
    );
    expect(again.consent.status).toBe('partial');
  });
  it('Halland: one guardian suffices when the child has one (seed 002)', () => {
    expect(
      apply(child, undefined, consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 1 })).consent
        .status,
    ).toBe('complete');
  });
  it('Halland: a child judged mature enough may consent alone (seed 002)', () => {
    const d = apply(
      child,
      undefined,
      consent([{ partyId: 'kid', role: 'mature-child' }], { guardianCount: undefined }),
    );
    expect(d.consent.status).toBe('complete');
  });
  it('Halland: a mature child’s consent lets the SIP go ahead even if guardians refuse (seed 002)', () => {
    const refused = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian', decision: 'refused' }], { guardianCount: 2 }),
    );
    expect(refused.caseChange).toMatchObject({ status: 'stopped', stopReason: 'consent-refused' });
    const stopped = { ...child, status: 'stopped' as const, stopReason: 'consent-refused' as const };
    const matured = apply(stopped, refused.consent, consent([{ partyId: 'kid', role: 'mature-child' }]));
    expect(matured.consent.status).toBe('complete');
    expect(matured.caseChange.status).toBe('consented');
    expect(matured.caseChange.stopReason).toBeUndefined();
  });
  it('Värmland: a legal representative (god man, förvaltare) may consent (seed 004)', () => {
    expect(
      isComplete('adult', [{ partyId: 'gm', role: 'legal-representative', decision: 'given' }], null),
    ).toBe(true);
    const d = decideConsentRegistered(
      varmland,
      { ...adult, county: 'varmland' },
      undefined,
      consent([{ partyId: 'gm', role: 'legal-representative' }], { county: 'varmland' }),
    );
    expect(d).toMatchObject({ kind: 'apply', consent: { status: 'complete' } });
  });
  it('an adult consents personally (domain.md, "Consent")', () => {
    expect(apply(adult, undefined, consent([{ partyId: 'p', role: 'person' }])).consent.status).toBe(
      'complete',
    );
  });
  it('an adult’s guardians cannot consent for them; a child consents as mature-child, not person (seed 002)', () => {
    expect(checkRoleAllowed('adult', 'guardian')).toMatch(
      /adult consents personally or through a legal representative/,
    );
    expect(checkRoleAllowed('child', 'person')).toMatch(/mature-child/);
    expect(checkRoleAllowed('child', 'guardian')).toBeNull();
  });
  it('oral consent is valid and recorded as oral (seed 002)', () => {
    const d = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 1, method: 'oral' }),
    );
    expect(d.consent.status).toBe('complete');
    expect(d.consent.parties[0]?.method).toBe('oral');
    expect(d.summary).toContain('(oral)');
  });
  it('a third guardian is refused: a child has at most the guardians registered', () => {
    const first = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 1 }),
    );
    const d = decideConsentRegistered(
      halland,
      child,
      first.consent,
      consent([{ partyId: 'g-b', role: 'guardian' }], { guardianCount: 1 }),
    );
    expect(d).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/names 2 guardians but the child has 1/),
    });
  });
});

describe('consent is never general: it names the organisations (seed 002)', () => {
  it('two guardians’ consent covers only what both named', () => {
    const covers = (ids: string[]) =>
      ids.map((organisationId) => ({ organisationId, principal: 'municipality' }));
    const first = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian' }], {
        guardianCount: 2,
        covers: covers(['org-a', 'org-b', 'org-c']),
      }),
    );
    const second = apply(
      child,
      first.consent,
      consent([{ partyId: 'g-b', role: 'guardian' }], {
        guardianCount: 2,
        covers: covers(['org-b', 'org-c', 'org-d']),
      }),
    );
    expect(second.consent.covers.map((o) => o.organisationId)).toEqual(['org-b', 'org-c']);
  });
});

describe('consent is time-limited (seed 002)', () => {
  it('Halland: at most one year; longer is rejected with a reason, not shortened (seed 002)', () => {
    expect(checkValidity(halland, '2026-11-21', '2027-11-20', '2026-11-21T10:00:00+01:00')).toBeNull();
    expect(checkValidity(halland, '2026-11-21', '2027-11-21', '2026-11-21T10:00:00+01:00')).toBe(
      'consent would be valid for 366 days; in Halland consent is valid for at most 365 days (seed 002); register it with a shorter validity',
    );
  });
  it('rejects a consent that had already expired when it was published', () => {
    expect(checkValidity(halland, '2025-01-01', '2025-06-30', '2026-11-21T10:00:00+01:00')).toMatch(
      /already expired on 2025-06-30/,
    );
  });
  it('two registrations keep the shorter validity', () => {
    const first = apply(
      child,
      undefined,
      consent([{ partyId: 'g-a', role: 'guardian' }], { guardianCount: 2, validUntil: '2027-11-20' }),
    );
    const second = apply(
      child,
      first.consent,
      consent([{ partyId: 'g-b', role: 'guardian' }], { guardianCount: 2, validUntil: '2027-06-30' }),
    );
    expect(second.consent.validUntil).toBe('2027-06-30');
  });
});

describe('refusal (seed 002: a refusal is accepted and documented)', () => {
  it('is recorded and the case does not go ahead', () => {
    const d = apply(adult, undefined, consent([{ partyId: 'p', role: 'person', decision: 'refused' }]));
    expect(d.consent.status).toBe('refused');
    expect(d.caseChange).toMatchObject({ status: 'stopped', stopReason: 'consent-refused' });
  });
});

describe('withdrawal at any time by whoever gave it (seed 002)', () => {
  const complete = apply(adult, undefined, consent([{ partyId: 'p', role: 'person' }]));
  const consented = {
    ...adult,
    status: 'summoned' as const,
    consentStatus: 'complete' as const,
    activeConsentId: complete.consent.consentId,
  };
  it('stops the case at once, from any open state', () => {
    const d = decideConsentWithdrawn(
      consented,
      complete.consent,
      freshWithdrawal('case-1', 'p', 'person') as unknown as ConsentWithdrawn,
    );
    expect(d).toMatchObject({
      kind: 'apply',
      consent: { status: 'withdrawn' },
      caseChange: { status: 'stopped', stopReason: 'consent-withdrawn' },
    });
  });
  it('only by a party who gave it', () => {
    const d = decideConsentWithdrawn(
      consented,
      complete.consent,
      freshWithdrawal('case-1', 'stranger', 'person') as unknown as ConsentWithdrawn,
    );
    expect(d).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/party stranger did not give consent/),
    });
  });
  it('not twice, and not on a closed case', () => {
    const withdrawn = { ...complete.consent, status: 'withdrawn' as const };
    expect(
      decideConsentWithdrawn(
        consented,
        withdrawn,
        freshWithdrawal('case-1', 'p', 'person') as unknown as ConsentWithdrawn,
      ),
    ).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/already withdrawn/) });
    expect(
      decideConsentWithdrawn(
        { ...consented, status: 'closed' },
        complete.consent,
        freshWithdrawal('case-1', 'p', 'person') as unknown as ConsentWithdrawn,
      ),
    ).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/is closed/) });
  });
});

describe('the state machine rejects consent where it does not apply (docs/state-machine.md)', () => {
  it('no consent on a closed case; a stopped case restarts only through a new case', () => {
    expect(
      decideConsentRegistered(
        halland,
        { ...child, status: 'closed' },
        undefined,
        consent([{ partyId: 'g', role: 'guardian' }], { guardianCount: 1 }),
      ),
    ).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/is closed/) });
    expect(
      decideConsentRegistered(
        halland,
        { ...child, status: 'stopped', stopReason: 'consent-withdrawn' },
        undefined,
        consent([{ partyId: 'g', role: 'guardian' }], { guardianCount: 1 }),
      ),
    ).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/is stopped \(consent-withdrawn\)/) });
  });
});

describe('a party’s newest decision counts, whatever order they arrive in (docs/semantics.md)', () => {
  const created = freshCaseCreated({ subject: 'case-order-1' });
  const consentOf = (id: string, time: string, partyId: string, decision: 'given' | 'refused') =>
    freshConsent('case-order-1', {
      id,
      time,
      data: {
        consentId: 'c-order',
        decision,
        givenBy: [{ partyId, role: 'guardian' }],
        guardianCount: 2,
      },
    });
  const refusedA = consentOf('evt-refuse-a', '2026-11-21T10:00:00+01:00', 'g-a', 'refused');
  const givenA = consentOf('evt-give-a', '2026-11-22T10:00:00+01:00', 'g-a', 'given');
  const givenB = consentOf('evt-give-b', '2026-11-22T11:00:00+01:00', 'g-b', 'given');

  it('Halland: a guardian’s refusal (21 Nov) that arrives after the same guardian’s consent (22 Nov) does not stop the case (seed 002)', () => {
    for (const order of [
      [created, refusedA, givenA, givenB],
      [created, givenA, givenB, refusedA],
      [givenB, refusedA, created, givenA],
    ]) {
      const f = fold(halland, order);
      expect(f.case?.status, order.map((e) => e.id).join(',')).toBe('consented');
      expect(f.consents.get('c-order')?.status).toBe('complete');
      expect(f.consents.get('c-order')?.parties.find((p) => p.partyId === 'g-a')?.decision).toBe('given');
    }
  });
  it('a refusal newer than the consent stops the case in any order', () => {
    const laterRefusal = consentOf('evt-refuse-late', '2026-11-23T10:00:00+01:00', 'g-a', 'refused');
    for (const order of [
      [created, givenA, givenB, laterRefusal],
      [created, laterRefusal, givenB, givenA],
    ])
      expect(fold(halland, order).case).toMatchObject({ status: 'stopped', stopReason: 'consent-refused' });
  });
  it('a withdrawal that arrives before the party’s consent waits for it instead of being refused', () => {
    const withdrawal = {
      ...freshWithdrawal('case-order-1', 'g-b', 'guardian', 'c-order'),
      time: '2026-11-25T10:00:00+01:00',
    };
    const early = fold(halland, [created, givenA, withdrawal]);
    expect(early.outcome(withdrawal)?.kind).toBe('held');
    const all = fold(halland, [created, withdrawal, givenA, givenB]);
    expect(all.outcome(withdrawal)?.kind).toBe('applied');
    expect(all.case).toMatchObject({ status: 'stopped', stopReason: 'consent-withdrawn' });
  });
});
