/** The rules over a list of whole events, as the consumers apply them (projection, then fold). */
import type { County } from '../../functions/core/county.ts';
import { foldCase, projectEvent } from '../../functions/core/fold.ts';
import { dueMarkers } from '../../functions/core/lifecycle.ts';
import { invitationsOf } from '../../functions/core/meeting.ts';

type WholeEvent = { id: string; type: string; time: string; subject: string; data: unknown };

export const fold = (county: County, events: readonly unknown[]) => {
  const whole = events as WholeEvent[];
  const result = foldCase(
    county,
    whole.map((e) => projectEvent(county, e, false)),
  );
  const state = result.state;
  return {
    ...result,
    ...state,
    case: state.case,
    due: dueMarkers(county, state),
    invitations: invitationsOf(state.case?.protectedIdentity ?? false, state.meetings.values(), new Map()),
    outcome: (e: unknown) => result.outcomes.get((e as WholeEvent).id),
  };
};
