/**
 * A county's SIP rules as data. The values come from the seed routines (see lib/counties.ts);
 * handlers receive them through the environment and validate them once at init.
 */
import * as z from 'zod/mini';

export const weekday = z.int().check(z.minimum(1), z.maximum(7)); // ISO: 1 = Monday … 7 = Sunday

export const countyRulesSchema = z.strictObject({
  /** Days from the need being discovered to the meeting; null where the seed leaves it to the need. */
  meetingDeadlineDays: z.nullable(z.int().check(z.minimum(1), z.maximum(365))),
  /** ISO weekdays on which meetings are held. */
  meetingWeekdays: z.array(weekday).check(z.minLength(1)),
  /** Longest recommended meeting, in minutes. */
  maxMeetingMinutes: z.int().check(z.minimum(15), z.maximum(480)),
  /** Whether preschools and schools may initiate (and summon to) a SIP. */
  schoolsMayInitiate: z.boolean(),
  /** Organisation types the named coordinator may work in; empty means any. */
  coordinatorOrganisationTypes: z.array(z.string()),
  /** Longest consent validity in days (seed 002: at most one year). */
  maxConsentValidityDays: z.int().check(z.minimum(1), z.maximum(366)),
  /** Reminder lead times in days. */
  reminderLeadDays: z.strictObject({
    consentExpiry: z.int().check(z.minimum(0), z.maximum(90)),
    followUp: z.int().check(z.minimum(0), z.maximum(60)),
  }),
  /** Whether an invitation email may show the meeting's purpose (default: no). */
  emailShowsPurpose: z.boolean(),
  /** Recommendations the county enforces strictly (rejected instead of warned about). */
  strictRules: z.array(z.enum(['meeting-deadline', 'meeting-weekday', 'meeting-length'])),
  /** Seed routine each rule comes from, for messages and tests. */
  seed: z.string(),
});

export type CountyRules = z.infer<typeof countyRulesSchema>;

export interface County {
  id: string;
  displayName: string;
  rules: CountyRules;
}

export const parseCountyRules = (json: string): CountyRules => countyRulesSchema.parse(JSON.parse(json));
