/**
 * Which version wins (docs/semantics.md): versions of the same thing — a case's details, a
 * meeting's details, a party's consent decision, an invitee's response, a plan — are ordered by
 * the event's own CloudEvents `time` (to the nanosecond, whatever its offset), ties broken by the
 * event `id`; never by arrival. One helper, called by every rule that keeps a version.
 */
import { sortableUtc } from '../../events/contracts/time.ts';

/** `2026-11-20T07:15:00.000000000Z evt-1`: string order is version order. */
export type Version = string;

export const versionOf = (event: { time: string; id: string }): Version =>
  `${sortableUtc(event.time)} ${event.id}`;

/** Is `candidate` newer than `current` (or is there no current version)? */
export const isNewer = (candidate: Version, current: Version | undefined): boolean =>
  current === undefined || candidate > current;

export const compareVersions = (a: Version, b: Version): number => (a < b ? -1 : a > b ? 1 : 0);

/** The instant a version names (its time, UTC, millisecond precision). */
export const instantOf = (version: Version): Date => new Date(version.slice(0, 23) + 'Z');
