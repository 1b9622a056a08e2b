/** The items of a case a decision may write besides the case itself (one transaction). */
import type { ConsentRecord } from './consent.ts';
import type { DueMarker, PlanRecord } from './lifecycle.ts';
import type { Invitation, Meeting, Notice } from './meeting.ts';

export interface CaseItems {
  consents?: ConsentRecord[];
  meetings?: Meeting[];
  invitations?: Invitation[];
  notices?: Notice[];
  plans?: PlanRecord[];
  dueMarkers?: DueMarker[];
  /** Due markers to remove (acted on, or the case stopped or closed). */
  removeDue?: DueMarker[];
}
