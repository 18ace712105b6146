import { isBigintId, PageArgs } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import { hoursFromMinutes } from './hours';
import type { CorrectionRequest } from './correction-request.entity';
import type { ServiceRecordChange } from './record-change.entity';
import type { ServiceRecord } from './record.entity';
import type { RecordFilter } from './record.input';

type Input = { input: unknown };

/** A person by id, batched; ids that are not people (a system, a test caller) resolve to null. */
function personOf(id: string | null, ctx: VolunteersContext) {
  return id && isBigintId(id) ? ctx.loaders.personById.load(id) : null;
}

/** A history line as the schema shows it; the person who made it is fetched only if asked for. */
function changeOf(change: ServiceRecordChange, ctx: VolunteersContext) {
  return {
    action: change.action,
    oldMinutes: change.oldMinutes,
    newMinutes: change.newMinutes,
    reason: change.reason,
    changedAt: change.changedAt,
    changedBy: () => personOf(change.changedBy, ctx),
  };
}

/** Thin: arguments in, service call, shape out. The rules live in `RecordService`. */
export const recordResolvers = {
  Query: {
    serviceRecord: (_: unknown, args: { id: string }, ctx: VolunteersContext) => ctx.records.get(args.id),
    serviceRecords: (_: unknown, args: PageArgs & { filter?: RecordFilter | null }, ctx: VolunteersContext) =>
      ctx.records.list(args.filter, args),
    myServiceRecordCorrections: (_: unknown, args: PageArgs, ctx: VolunteersContext) => ctx.corrections.mine(args),
  },
  Mutation: {
    verifyServiceRecord: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.records.verify(args.input),
    verifyActivityRecords: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.records.verifyActivity(args.input),
    rejectServiceRecord: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.records.reject(args.input),
    correctServiceMinutes: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.records.correct(args.input),
    recordOfflineService: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.records.recordOffline(args.input),
    requestServiceRecordCorrection: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.corrections.request(args.input),
    acceptServiceRecordCorrection: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.corrections.decide(args.input, 'accept'),
    declineServiceRecordCorrection: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.corrections.decide(args.input, 'decline'),
  },
  ServiceRecord: {
    __resolveReference: (ref: { id: string }, ctx: VolunteersContext) => ctx.records.get(ref.id),
    volunteer: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.loaders.volunteerById.load(record.volunteerId),
    activity: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => (record.activityId ? ctx.loaders.activityById.load(record.activityId) : null),
    unit: (record: ServiceRecord) => ({ __typename: 'PracticeUnit', id: record.unitId }),
    category: async (record: ServiceRecord, _: unknown, ctx: VolunteersContext) =>
      (await ctx.loaders.activityCategory.load(record.category)) ?? { code: record.category, name: record.category },
    verifiedBy: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => personOf(record.verifiedBy, ctx),
    hours: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => hoursFromMinutes(record.minutes, ctx.hoursRule),
    recordingDueOn: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.records.recordingDueOn(record),
    responsiblePerson: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => personOf(record.responsiblePersonId, ctx),
    responsibleName: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.records.responsibleName(record),
    history: async (record: ServiceRecord, _: unknown, ctx: VolunteersContext) =>
      (await ctx.loaders.serviceRecordHistory.load(record.id)).map((change) => changeOf(change, ctx)),
    // Like the history, which already holds each request's line and reason: for whoever may read the record.
    correctionRequests: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.loaders.correctionRequestsByRecord.load(record.id),
    // The record reached this resolver, so the caller may read it: the signed URLs are their read permission.
    photos: async (record: ServiceRecord, _: unknown, ctx: VolunteersContext) =>
      (await ctx.loaders.photosByRecord.load(record.id)).map((photo) => ctx.photos.view(photo)),
  },
  ServiceRecordCorrectionRequest: {
    // The caller reached the request (their own, or staff in scope of its record), so the record is theirs to see.
    record: (request: CorrectionRequest, _: unknown, ctx: VolunteersContext) => ctx.records.get(request.recordId),
    requestedBy: (request: CorrectionRequest, _: unknown, ctx: VolunteersContext) => personOf(request.requestedBy, ctx),
    decidedBy: (request: CorrectionRequest, _: unknown, ctx: VolunteersContext) => personOf(request.decidedBy, ctx),
  },
};
