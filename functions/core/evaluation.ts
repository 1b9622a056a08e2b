/**
 * Meeting evaluation (issue 15): after a SIP meeting is held (its plan established), every unit
 * that took part answers a few fixed questions on a scale through a personal link; the child and
 * the guardians answer their own short survey, in simple Swedish, anonymously, from a link and a
 * QR code the coordinator hands out on paper (seed 000, Gävleborg step 8; seed 001, Haninge: the
 * person evaluates how their participation was taken into account). No free text. Pure.
 */
import { createHmac } from 'node:crypto';
import type { Invitee, Meeting } from './meeting.ts';

export type Respondent = 'unit' | 'child' | 'guardian';

export interface Question {
  id: string;
  sv: string;
  en: string;
}

/** The scale: 1 (not at all) to 5 (completely). */
export const SCALE = [1, 2, 3, 4, 5] as const;

export const SCALE_WORDS: Record<Respondent, { sv: string[]; en: string[] }> = {
  unit: {
    sv: ['Inte alls', 'I liten grad', 'Delvis', 'I hög grad', 'Helt'],
    en: ['Not at all', 'A little', 'Partly', 'Mostly', 'Completely'],
  },
  child: {
    sv: ['Nej', 'Lite', 'Ganska', 'Mycket', 'Ja, helt'],
    en: ['No', 'A little', 'Quite', 'A lot', 'Yes, fully'],
  },
  guardian: {
    sv: ['Nej', 'Lite', 'Ganska', 'Mycket', 'Ja, helt'],
    en: ['No', 'A little', 'Quite', 'A lot', 'Yes, fully'],
  },
};

export const QUESTIONS: Record<Respondent, Question[]> = {
  unit: [
    { id: 'purpose-clear', sv: 'Var syftet med mötet tydligt?', en: 'Was the purpose of the meeting clear?' },
    {
      id: 'right-functions',
      sv: 'Var rätt funktioner med på mötet?',
      en: 'Were the right functions at the meeting?',
    },
    {
      id: 'voice-heard',
      sv: 'Kom den enskildes (barnets) röst fram?',
      en: "Was the person's (the child's) voice heard?",
    },
    {
      id: 'plan-clear',
      sv: 'Är det tydligt vem som gör vad i planen?',
      en: 'Is it clear who does what in the plan?',
    },
  ],
  child: [
    {
      id: 'understood',
      sv: 'Förstod du vad mötet handlade om?',
      en: 'Did you understand what the meeting was about?',
    },
    { id: 'listened', sv: 'Lyssnade de vuxna på dig?', en: 'Did the adults listen to you?' },
    { id: 'helps', sv: 'Tror du att planen hjälper dig?', en: 'Do you think the plan will help you?' },
  ],
  guardian: [
    {
      id: 'understood',
      sv: 'Förstod du vad mötet skulle leda till?',
      en: 'Did you understand what the meeting was for?',
    },
    { id: 'listened', sv: 'Togs dina synpunkter tillvara?', en: 'Were your views taken into account?' },
    { id: 'child-heard', sv: 'Kom ditt barns åsikter fram?', en: "Were your child's views heard?" },
  ],
};

/** How many family answers one meeting's survey link takes: the child once, each guardian once. */
export const FAMILY_ANSWERS: Record<'child' | 'guardian', number> = { child: 1, guardian: 2 };

/** Links work until this many days after the meeting. */
export const EVALUATION_VALID_DAYS = 30;

/** A unit took part unless it declined, was removed, or a substitute went in its place. */
export const tookPart = (i: Invitee): boolean =>
  !i.removed && i.substitutedBy === undefined && i.response?.value !== 'declined';

/** The units of a held meeting that get an evaluation link: those that took part, by email. */
export const evaluationRecipients = (m: Meeting): Invitee[] =>
  m.status === 'cancelled' ? [] : m.invitees.filter((i) => i.email && tookPart(i));

/** The answers of a form: every question of the respondent's survey, each on the scale. */
export const checkEvaluation = (
  respondent: Respondent,
  fields: Record<string, string>,
): { ok: true; scores: Record<string, number> } | { ok: false; missing: string[] } => {
  const scores: Record<string, number> = {};
  const missing: string[] = [];
  for (const q of QUESTIONS[respondent]) {
    const v = Number(fields[q.id]);
    if (Number.isInteger(v) && v >= 1 && v <= 5) scores[q.id] = v;
    else missing.push(q.id);
  }
  return missing.length === 0 ? { ok: true, scores } : { ok: false, missing };
};

/**
 * The family survey's short link: 12 characters (60 bits) of an HMAC of the meeting under the
 * link key — unguessable, the same for the same meeting, and naming nothing.
 */
export const familyCode = (key: string, caseId: string, meetingId: string): string => {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read off paper
  const mac = createHmac('sha256', key).update(`family\u0000${caseId}\u0000${meetingId}`).digest();
  let out = '';
  for (let i = 0; i < 12; i++) out += alphabet[(mac[i] ?? 0) % 32];
  return out;
};
