import { isBigintId } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { ServiceRecord } from '../records/record.entity';
import type { Volunteer } from '../volunteers/volunteer.entity';
import type { RecordEvaluationRow } from './evaluation.service';
import type { AwardRow, TrainingRow } from './recognition.service';

type Input = { input: unknown };

/** Thin: arguments in, service call, shape out. The rules live in `RecognitionService`. */
export const recognitionResolvers = {
  Query: {
    starThresholds: (_: unknown, __: unknown, ctx: VolunteersContext) => ctx.recognition.thresholds(),
  },
  Mutation: {
    recordTraining: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.recognition.recordTraining(args.input),
    recordAward: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.recognition.recordAward(args.input),
    grantStar: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.recognition.grantStar(args.input),
    setStarThresholds: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.recognition.setStarThresholds(args.input),
    evaluateServiceRecord: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.evaluations.evaluate(args.input),
  },
  Volunteer: {
    trainings: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.recognition.trainingsOf(volunteer.id),
    awards: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.recognition.awardsOf(volunteer.id),
    star: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.recognition.starOf(volunteer.id),
    starSince: async (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => (await ctx.recognition.starOf(volunteer.id))?.awardedOn ?? null,
    starEligibility: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.recognition.eligibility(volunteer),
    quality: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.evaluations.qualityOf(volunteer),
  },
  ServiceRecord: {
    evaluation: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.evaluations.evaluationOf(record.id),
    residentFeedback: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.evaluations.feedbackOf(record),
  },
  Training: {
    organizer: (training: TrainingRow) => ({ __typename: 'PracticeUnit', id: training.unitId }),
  },
  Award: {
    grantingUnit: (award: AwardRow) => (award.grantingUnitId ? { __typename: 'PracticeUnit', id: award.grantingUnitId } : null),
    recordedBy: (award: AwardRow, _: unknown, ctx: VolunteersContext) =>
      isBigintId(award.recordedBy) ? ctx.loaders.personById.load(award.recordedBy) : null,
  },
  ServiceRecordEvaluation: {
    evaluatedBy: (row: RecordEvaluationRow, _: unknown, ctx: VolunteersContext) =>
      isBigintId(row.evaluatedBy) ? ctx.loaders.personById.load(row.evaluatedBy) : null,
  },
};
