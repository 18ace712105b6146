import type { GraphQLResolveInfo } from 'graphql';
import { isBigintId, PageArgs } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { ReviewRow } from './volunteer.loaders';
import type { Volunteer } from './volunteer.entity';
import { selects } from './selection';
import { hoursOf } from './volunteer.service';

type Reference = { id: string };
type Input = { input: unknown };

/** Thin: arguments in, service call, shape out. The rules live in the services. */
export const volunteerResolvers = {
  Query: {
    volunteer: (_: unknown, args: { id: string }, ctx: VolunteersContext) => ctx.volunteers.get(args.id),
    volunteers: (_: unknown, args: PageArgs & { filter?: unknown }, ctx: VolunteersContext, info: GraphQLResolveInfo) =>
      ctx.volunteers.list(args.filter, args, {
        total: selects(info, ['totalCount']),
        person: selects(info, ['edges', 'node', 'person']),
        skills: selects(info, ['edges', 'node', 'skills']),
      }),
    skills: (_: unknown, __: unknown, ctx: VolunteersContext) => ctx.skills.list(),
    activityCategories: (_: unknown, __: unknown, ctx: VolunteersContext) => ctx.skills.activityCategories(),
  },
  Mutation: {
    registerVolunteer: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.volunteers.register(args.input),
    approveVolunteer: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.volunteers.review('approve', args.input),
    rejectVolunteer: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.volunteers.review('reject', args.input),
    suspendVolunteer: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.volunteers.review('suspend', args.input),
    reinstateVolunteer: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.volunteers.review('reinstate', args.input),
    updateVolunteerProfile: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.volunteers.updateProfile(args.input),
    joinTeam: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.teamMemberships.join(args.input),
    leaveTeam: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.teamMemberships.leave(args.input),
    setTeamLeader: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.teamMemberships.setLeader(args.input),
    addSkill: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.skills.add(args.input),
  },
  Volunteer: {
    __resolveReference: (ref: Reference, ctx: VolunteersContext) => ctx.volunteers.reference(ref.id),
    person: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.loaders.personById.load(volunteer.personId),
    statusReason: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.volunteers.statusReason(volunteer),
    homeStation: (volunteer: Volunteer) => (volunteer.homeStationId ? { __typename: 'PracticeUnit', id: volunteer.homeStationId } : null),
    skills: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.skills.byCodes(volunteer.skills),
    availability: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.volunteers.availability(volunteer),
    residenceArea: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.volunteers.residenceArea(volunteer),
    publicRanking: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.volunteers.publicRanking(volunteer),
    serviceCategories: async (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => {
      const found = await ctx.loaders.activityCategory.loadMany(volunteer.serviceCategories ?? []);
      return found.map((category, index) =>
        category && !(category instanceof Error) ? category : { code: volunteer.serviceCategories[index]!, name: volunteer.serviceCategories[index]! },
      );
    },
    teams: async (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) =>
      (await ctx.loaders.membershipsByVolunteer.load(volunteer.id)).map((membership) => ({
        team: { __typename: 'Team', id: membership.teamId },
        isLeader: membership.isLeader,
        joinedAt: membership.joinedAt,
      })),
    verifiedHours: (volunteer: Volunteer) => hoursOf(volunteer.verifiedMinutes),
    reviews: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.volunteers.reviews(volunteer),
  },
  VolunteerReview: {
    decidedBy: (review: ReviewRow, _: unknown, ctx: VolunteersContext) =>
      isBigintId(review.decidedBy) ? ctx.loaders.personById.load(review.decidedBy) : null,
  },
  /** Fields this subgraph adds to org's entities; they receive only the reference (`{ id }`). */
  PracticeUnit: {
    volunteers: (unit: Reference, args: PageArgs, ctx: VolunteersContext) => ctx.volunteers.listByHomeStation(unit.id, args),
    volunteerStats: (unit: Reference, args: { from?: Date | null; to?: Date | null }, ctx: VolunteersContext) =>
      ctx.volunteers.stats(unit.id, args.from, args.to),
    overdueServiceRecords: (unit: Reference, args: PageArgs & { asOf?: Date | null }, ctx: VolunteersContext) =>
      ctx.records.overdue(unit.id, args.asOf, args),
    openServiceRecordCorrections: (unit: Reference, args: PageArgs, ctx: VolunteersContext) => ctx.corrections.openInUnit(unit.id, args),
    recordingReport: (unit: Reference, args: { year: number }, ctx: VolunteersContext) => ctx.recordingReports.report(unit.id, args.year),
  },
  Team: {
    members: (team: Reference, args: PageArgs, ctx: VolunteersContext) => ctx.volunteers.listByTeam(team.id, args),
  },
};
