/**
 * Unique marker strings planted in every field the protected path must never keep: places,
 * names, email addresses and free text. A test then looks for them everywhere our code writes.
 */
import { randomUUID } from 'node:crypto';
import type { TestEvent } from './fixtures.ts';

export const newMarkers = () => {
  const run = randomUUID().slice(0, 8);
  const all: string[] = [];
  const mark = (field: string) => {
    const m = `MRK${run}${field}`;
    all.push(m);
    return m;
  };
  return { all, mark };
};

/** A protected summons that carries everything it must not: each forbidden field holds a marker. */
export const plantInSummons = (event: TestEvent, mark: (field: string) => string): TestEvent => {
  const d = event.data as Record<string, unknown> & {
    invitees: Record<string, unknown>[];
    organiser: Record<string, unknown>;
  };
  return {
    ...event,
    data: {
      ...d,
      location: { kind: 'in-person', place: `${mark('place')} Storgatan 1` },
      purpose: mark('purpose'),
      longTermGoal: mark('goal'),
      questions: [mark('question1'), mark('question2')],
      organiser: {
        ...d.organiser,
        unitName: mark('organiser'),
        contactEmail: `${mark('orgmail').toLowerCase()}@example.se`,
      },
      invitees: d.invitees.map((i, n) => ({
        ...i,
        unitName: mark(`unit${n}`),
        email: `${mark(`mail${n}`).toLowerCase()}@example.se`,
        locale: 'en',
      })),
    },
  };
};

/** Malformed protected events: markers inside broken JSON and wrongly typed fields. */
export const malformedWithMarkers = (event: TestEvent, mark: (field: string) => string): string[] => [
  `{"specversion":"1.0","id":"${event.id}-broken","data":{"place":"${mark('brokenjson')}"`,
  JSON.stringify({
    ...event,
    id: `${event.id}-type`,
    data: { ...event.data, durationMinutes: mark('wrongtype') },
  }),
  JSON.stringify({
    ...event,
    id: `${event.id}-extra`,
    data: { ...event.data, address: mark('unknownfield') },
  }),
  JSON.stringify({
    ...event,
    id: `${event.id}-nocase`,
    subject: undefined,
    data: { ...event.data, purpose: mark('nosubject') },
  }),
];
