/**
 * The counties this system ships, as typed data validated at synth time.
 * Adding a county is adding one entry to `counties` (see README, "Add a county").
 * Where a seed routine is silent, the default is named in the comment beside it.
 */
import * as z from 'zod/mini';
import { countyRulesSchema } from '../functions/core/county.ts';

export const countyConfigSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,30}$/)),
  displayName: z.string().check(z.minLength(1)),
  /** Stack name suffix, e.g. "Halland" → Sip-Halland. */
  stackSuffix: z.string().check(z.regex(/^[A-Z][A-Za-z0-9]*$/)),
  account: z.optional(z.string().check(z.regex(/^\d{12}$/))),
  region: z.string().check(z.regex(/^eu-[a-z]+-\d$/, 'counties are deployed in an EU region')),
  senderAddress: z.email(),
  replyToAddress: z.email(),
  /**
   * The invitations' ORGANIZER (issue 13): calendars send Accept / Decline here, and SES receiving
   * takes it in. On the county's mail domain, whose MX points at SES (README, "Calendar replies").
   */
  calendarReplyAddress: z.email(),
  alarmEmail: z.email(),
  /** Where the monthly KPI report's link goes (issue 15): the county's SIP management. */
  managementEmail: z.email(),
  rules: countyRulesSchema,
  /**
   * Upstream publishers in other AWS accounts (issue 14): each may send exactly the event types
   * named, to their queues, with the county key; with `source`, its events must carry that
   * CloudEvents `source` (another is rejected with that reason). None by default.
   */
  publishers: z.optional(
    z.array(
      z.strictObject({
        /** A short name for the operator (alarms, docs). */
        name: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/)),
        /** An AWS account id (12 digits) or an IAM role ARN in that account. */
        principal: z
          .string()
          .check(
            z.regex(
              /^(\d{12}|arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512})$/,
              'an AWS account id or an IAM role ARN',
            ),
          ),
        types: z.array(z.string().check(z.regex(/^se\.sip\.[a-z.-]+\.v\d+$/))).check(z.minLength(1)),
        source: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
      }),
    ),
  ),
  /**
   * Outbound events (issue 14): the AWS accounts whose SQS queues may subscribe to the county's
   * outbound topic (each with its own filter policy). None by default.
   */
  outbound: z.optional(
    z.strictObject({
      subscriberAccounts: z.array(z.string().check(z.regex(/^\d{12}$/, 'an AWS account id (12 digits)'))),
    }),
  ),
  /**
   * The invitation page (issue 13). `signIn: 'oidc'`: purpose, goal and questions are shown only
   * after sign-in with the county's OpenID Connect provider (e.g. the regional IdP professionals
   * use with SITHS eID); a public client (authorization code + PKCE), so an issuer and a client id.
   * Without it (the default) the link alone shows them.
   */
  invitationPage: z.optional(
    z.discriminatedUnion('signIn', [
      z.strictObject({ signIn: z.literal('none') }),
      z.strictObject({
        signIn: z.literal('oidc'),
        oidc: z.strictObject({
          issuer: z.url({ protocol: /^https$/ }),
          clientId: z.string().check(z.minLength(1)),
        }),
      }),
    ]),
  ),
});

export type CountyConfig = z.infer<typeof countyConfigSchema>;

const weekdays = [1, 2, 3, 4, 5];
const defaults = {
  region: 'eu-north-1',
  // Seed 002: consent is time-limited to at most one year; no seed says otherwise.
  maxConsentValidityDays: 365,
  // No seed names lead times; a month's notice before consent lapses, a week before a follow-up.
  reminderLeadDays: { consentExpiry: 30, followUp: 7 },
  // Halland's two hours (seed 002) is the only figure in the seeds; used as the default.
  maxMeetingMinutes: 120,
  // Privacy first: the purpose may describe the person's situation.
  emailShowsPurpose: false,
  strictRules: [],
  coordinatorOrganisationTypes: [],
} as const;

const shipped: CountyConfig[] = [
  {
    id: 'gavleborg',
    displayName: 'Gävleborg',
    stackSuffix: 'Gavleborg',
    region: defaults.region,
    senderAddress: 'sip@gavleborg.example.se',
    replyToAddress: 'sip-svar@gavleborg.example.se',
    calendarReplyAddress: 'sip-kalender@gavleborg.example.se',
    alarmEmail: 'sip-drift@gavleborg.example.se',
    managementEmail: 'sip-ledning@gavleborg.example.se',
    rules: {
      seed: '000 (Hudiksvall) / 003',
      meetingDeadlineDays: 21, // seed 000: "en fredag inom tre veckor"
      meetingWeekdays: [5], // seed 000: Fridays are kept free for SIP
      maxMeetingMinutes: defaults.maxMeetingMinutes,
      schoolsMayInitiate: true, // seeds 000, 003: school/preschool may call a SIP
      coordinatorOrganisationTypes: [...defaults.coordinatorOrganisationTypes],
      maxConsentValidityDays: defaults.maxConsentValidityDays,
      reminderLeadDays: { ...defaults.reminderLeadDays },
      emailShowsPurpose: defaults.emailShowsPurpose,
      strictRules: [...defaults.strictRules],
    },
  },
  {
    id: 'halland',
    displayName: 'Halland',
    stackSuffix: 'Halland',
    region: defaults.region,
    senderAddress: 'sip@halland.example.se',
    replyToAddress: 'sip-svar@halland.example.se',
    calendarReplyAddress: 'sip-kalender@halland.example.se',
    alarmEmail: 'sip-drift@halland.example.se',
    managementEmail: 'sip-ledning@halland.example.se',
    rules: {
      seed: '002',
      meetingDeadlineDays: 30, // seed 002: within 30 days of the need being discovered
      meetingWeekdays: weekdays,
      maxMeetingMinutes: 120, // seed 002: at most two hours, with a pause
      schoolsMayInitiate: true, // seed 002: school is part of the SIP work
      coordinatorOrganisationTypes: [...defaults.coordinatorOrganisationTypes],
      maxConsentValidityDays: 365, // seed 002: at most one year
      reminderLeadDays: { ...defaults.reminderLeadDays },
      emailShowsPurpose: defaults.emailShowsPurpose,
      strictRules: [...defaults.strictRules],
    },
  },
  {
    id: 'stockholm',
    displayName: 'Stockholm (Haninge routine)',
    stackSuffix: 'Stockholm',
    region: defaults.region,
    senderAddress: 'sip@stockholm.example.se',
    replyToAddress: 'sip-svar@stockholm.example.se',
    calendarReplyAddress: 'sip-kalender@stockholm.example.se',
    alarmEmail: 'sip-drift@stockholm.example.se',
    managementEmail: 'sip-ledning@stockholm.example.se',
    rules: {
      seed: '001 (Haninge)',
      meetingDeadlineDays: null, // seed 001 sets no deadline
      meetingWeekdays: weekdays,
      maxMeetingMinutes: defaults.maxMeetingMinutes,
      schoolsMayInitiate: true, // seed 001: schools may summon during a one-year trial
      coordinatorOrganisationTypes: [...defaults.coordinatorOrganisationTypes],
      maxConsentValidityDays: defaults.maxConsentValidityDays,
      reminderLeadDays: { ...defaults.reminderLeadDays },
      emailShowsPurpose: defaults.emailShowsPurpose,
      strictRules: [...defaults.strictRules],
    },
  },
  {
    id: 'varmland',
    displayName: 'Värmland',
    stackSuffix: 'Varmland',
    region: defaults.region,
    senderAddress: 'sip@varmland.example.se',
    replyToAddress: 'sip-svar@varmland.example.se',
    calendarReplyAddress: 'sip-kalender@varmland.example.se',
    alarmEmail: 'sip-drift@varmland.example.se',
    managementEmail: 'sip-ledning@varmland.example.se',
    rules: {
      seed: '004',
      meetingDeadlineDays: null, // seed 004: the individual's need decides how fast
      meetingWeekdays: weekdays,
      maxMeetingMinutes: defaults.maxMeetingMinutes,
      schoolsMayInitiate: false, // seed 004: schools are invited, not initiators
      coordinatorOrganisationTypes: ['health-care', 'psychiatry', 'social-services'], // seed 004
      maxConsentValidityDays: defaults.maxConsentValidityDays,
      reminderLeadDays: { ...defaults.reminderLeadDays },
      emailShowsPurpose: defaults.emailShowsPurpose,
      strictRules: [...defaults.strictRules],
    },
    // Purpose, goal and questions only after sign-in with the region's IdP (SITHS eID).
    invitationPage: {
      signIn: 'oidc',
      oidc: { issuer: 'https://idp.regionvarmland.example.se', clientId: 'sip-invitation-pages' },
    },
  },
];

/** Every shipped county, validated: a bad entry fails synth, tests and the local stack at once. */
export const counties: readonly CountyConfig[] = shipped.map((c) => {
  const result = countyConfigSchema.safeParse(c);
  if (!result.success) throw new Error(`county "${c.id}" is misconfigured: ${z.prettifyError(result.error)}`);
  return result.data;
});

export const countyById = (id: string): CountyConfig => {
  const county = counties.find((c) => c.id === id);
  if (!county) throw new Error(`unknown county "${id}"; known: ${counties.map((c) => c.id).join(', ')}`);
  return county;
};

/** The county the local stack and the example scenarios use. */
export const defaultLocalCounty = 'halland';
