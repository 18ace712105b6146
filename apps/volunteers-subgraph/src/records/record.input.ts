import { z } from 'zod';
import { fields } from '@kz/subgraph';

export const recordIdInput = z.object({ recordId: fields.id() });

export const activityIdInput = z.object({ activityId: fields.id() });

export const rejectRecordInput = z.object({ recordId: fields.id(), reason: fields.text(200) });

export const correctMinutesInput = z.object({ recordId: fields.id(), minutes: fields.range(0, 1440), reason: fields.text(200) });

export const recordOfflineInput = z.object({
  volunteerId: fields.id(),
  unitId: fields.id(),
  category: z.string().trim().min(1).max(32),
  title: fields.text(100),
  startedAt: z.date().refine((date) => date.getTime() <= Date.now() + 60_000, { params: { key: 'input.inFuture' } }),
  minutes: fields.range(1, 1440),
  evidence: fields.text(1000),
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
}
