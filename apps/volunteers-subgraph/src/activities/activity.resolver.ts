import type { PageArgs } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { ActivitySignUp } from './activity-signup.entity';
import type { Activity } from './activity.entity';
import type { ActivityFilter } from './activity.service';

type Input = { input: unknown };

/** Activities: recruitment, sign-up with waitlist, check-in and check-out. Thin: the rules live in the services. */
export const activityResolvers = {
  Query: {
    activity: (_: unknown, args: { id: string }, ctx: VolunteersContext) => ctx.activities.get(args.id),
    activities: (_: unknown, args: PageArgs & { filter?: ActivityFilter | null }, ctx: VolunteersContext) =>
      ctx.activities.list(args.filter, args),
    myActivities: (_: unknown, args: PageArgs, ctx: VolunteersContext) => ctx.signUps.mine(args),
  },
  Mutation: {
    createActivity: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.activities.create(args.input),
    updateActivity: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.activities.update(args.input),
    publishActivity: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.activities.publish(args.input),
    cancelActivity: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.activities.cancel(args.input),
    completeActivity: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.activities.complete(args.input),
    signUpForActivity: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.signUps.signUp(args.input),
    cancelSignUp: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.signUps.cancel(args.input),
    checkIn: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.signUps.checkIn(args.input),
    checkOut: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.signUps.checkOut(args.input),
  },
  Activity: {
    __resolveReference: (ref: { id: string }, ctx: VolunteersContext) => ctx.activities.get(ref.id),
    category: (activity: Activity, _: unknown, ctx: VolunteersContext) => ctx.activities.category(activity),
    organizingUnit: (activity: Activity) => ({ __typename: 'PracticeUnit', id: activity.organizingUnitId }),
    team: (activity: Activity) => (activity.teamId ? { __typename: 'Team', id: activity.teamId } : null),
    place: (activity: Activity) => ({
      name: activity.placeName,
      location: { lat: activity.lat, lng: activity.lng },
      checkInRadiusMeters: activity.checkInRadiusMeters,
    }),
    signedUpCount: (activity: Activity) => activity.signedUp,
    responsiblePerson: (activity: Activity, _: unknown, ctx: VolunteersContext) =>
      activity.responsiblePersonId ? ctx.loaders.personById.load(activity.responsiblePersonId) : null,
    responsibleName: (activity: Activity, _: unknown, ctx: VolunteersContext) => ctx.activities.responsibleName(activity),
    waitlistCount: (activity: Activity, _: unknown, ctx: VolunteersContext) => ctx.activities.waitlistCount(activity),
    requiredSkills: (activity: Activity, _: unknown, ctx: VolunteersContext) => ctx.activities.requiredSkills(activity),
    mySignUp: (activity: Activity, _: unknown, ctx: VolunteersContext) => ctx.signUps.mySignUp(activity),
    signUps: (activity: Activity, args: PageArgs, ctx: VolunteersContext) => ctx.activities.signUps(activity, args),
  },
  ActivitySignUp: {
    activity: (signUp: ActivitySignUp, _: unknown, ctx: VolunteersContext) => ctx.loaders.activityById.load(signUp.activityId),
    volunteer: (signUp: ActivitySignUp, _: unknown, ctx: VolunteersContext) => ctx.loaders.volunteerById.load(signUp.volunteerId),
    waitlistPosition: (signUp: ActivitySignUp, _: unknown, ctx: VolunteersContext) => ctx.signUps.waitlistPosition(signUp),
  },
};
