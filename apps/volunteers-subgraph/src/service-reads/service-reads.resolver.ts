import type { Role } from '@kz/auth';
import type { VolunteersContext } from '../context';

/** Thin: the worker-only reads of `ServiceReadsService` (SERVICE callers only). */
export const serviceReadResolvers = {
  Query: {
    staffAbove: (_: unknown, args: { unitId: string; roles: Role[] }, ctx: VolunteersContext) =>
      ctx.serviceReads.staffAbove(args.unitId, args.roles),
    volunteerPersons: (_: unknown, args: { volunteerIds: string[] }, ctx: VolunteersContext) =>
      ctx.serviceReads.volunteerPersons(args.volunteerIds),
    notificationContacts: (_: unknown, args: { personIds: string[] }, ctx: VolunteersContext) =>
      ctx.serviceReads.notificationContacts(args.personIds),
  },
};
