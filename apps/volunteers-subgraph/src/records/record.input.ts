import { z } from 'zod';
import { fields } from '@kz/subgraph';

export const recordIdInput = z.object({ recordId: fields.id() });

export const activityIdInput = z.object({ activityId: fields.id() });

export const rejectRecordInput = z.object({ recordId: fields.id(), reason: fields.multiLineText(200) });

export const correctMinutesInput = z.object({ recordId: fields.id(), minutes: fields.range(0, 1440), reason: fields.multiLineText(200) });

export const recordOfflineInput = z.object({
  volunteerId: fields.id(),
  unitId: fields.id(),
  category: z.string().trim().min(1).max(32),
  title: fields.text(100),
  /** 办法 Art. 7: where and what, required for an offline record (no activity or order to take them from). */
  place: fields.text(100),
  content: fields.multiLineText(1000),
  /** The 活动负责人; the recording staff member when omitted. */
  responsiblePersonId: fields.id().nullish(),
  startedAt: z.date().refine((date) => date.getTime() <= Date.now() + 60_000, { params: { key: 'input.inFuture' } }),
  minutes: fields.range(1, 1440),
  evidence: fields.multiLineText(1000),
  /** Upload ids from the gateway's `POST /uploads`; each is checked against the caller when attached. */
  photoIds: z.array(z.string().min(1).max(300)).max(9).nullish(),
});
export type RecordOfflineInput = z.output<typeof recordOfflineInput>;

/** The filter of `serviceRecords`, as the schema declares it (GraphQL has checked the types). */
export interface RecordFilter {
  volunteerId?: string | null;
  activityId?: string | null;
  status?: string | null;
  withinUnitId?: string | null;
  from?: Date | null;
  to?: Date | null;
  heldForReview?: boolean | null;
}

/** 办法 Art. 13: the volunteer's proposed minutes for their own verified record, and why. */
export const requestCorrectionInput = z.object({ recordId: fields.id(), minutes: fields.range(0, 1440), reason: fields.multiLineText(200) });

/** Staff's decision on a correction request, always with a reason. */
export const decideCorrectionInput = z.object({ requestId: fields.id(), reason: fields.multiLineText(200) });
