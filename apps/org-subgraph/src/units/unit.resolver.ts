import { Forbidden } from '@kz/errors';
import { PageArgs, readPage, toConnection } from '@kz/subgraph';
import type { OrgContext } from '../context';
import { checklist } from '../seven-haves/seven-haves.service';
import type { PracticeUnit } from './unit.entity';
import type { UnitFilter } from './unit.service';

type Input = { input: unknown };

/** Thin: arguments in, service call, shape out. The rules live in the services. */
export const unitResolvers = {
  Query: {
    unit: (_: unknown, args: { id: string }, ctx: OrgContext) => ctx.units.get(args.id),
    units: (_: unknown, args: PageArgs & { filter?: UnitFilter | null }, ctx: OrgContext) => ctx.units.list(args.filter, args),
    unitTree: (_: unknown, args: { rootId?: string | null; depth: number }, ctx: OrgContext) => ctx.units.tree(args.rootId, args.depth),
    sevenHavesReport: (_: unknown, args: { unitId: string }, ctx: OrgContext) => ctx.sevenHaves.report(args.unitId),
  },
  Mutation: {
    createUnit: (_: unknown, args: Input, ctx: OrgContext) => ctx.units.create(args.input),
    updateUnit: (_: unknown, args: Input, ctx: OrgContext) => ctx.units.update(args.input),
    moveUnit: (_: unknown, args: Input, ctx: OrgContext) => ctx.units.move(args.input),
    designateDemonstration: (_: unknown, args: Input, ctx: OrgContext) => ctx.units.designateDemonstration(args.input),
    setSevenHaves: (_: unknown, args: Input, ctx: OrgContext) => ctx.sevenHaves.set(args.input),
  },
  PracticeUnit: {
    __resolveReference: (ref: { id: string }, ctx: OrgContext) => ctx.units.get(ref.id),
    parent: (unit: PracticeUnit, _: unknown, ctx: OrgContext) => (unit.parentId ? ctx.loaders.unitById.load(unit.parentId) : null),
    children: async (unit: PracticeUnit, args: PageArgs, ctx: OrgContext) => {
      const page = readPage(args, 'unit');
      const rows = await ctx.loaders.unitChildren.load({ parentId: unit.id, page });
      return toConnection(rows, page, 'unit', (row) => row.id, () => ctx.loaders.unitChildCount.load(unit.id));
    },
    ancestors: async (unit: PracticeUnit, _: unknown, ctx: OrgContext) => {
      const ids = unit.path.split('/').slice(0, -1);
      const found = await ctx.loaders.unitById.loadMany(ids);
      return found.filter((ancestor): ancestor is PracticeUnit => !!ancestor && !(ancestor instanceof Error));
    },
    location: (unit: PracticeUnit) => (unit.lat !== null && unit.lng !== null ? { lat: unit.lat, lng: unit.lng } : null),
    legal: (unit: PracticeUnit) => (unit.uscc ? { legalName: unit.legalName, uscc: unit.uscc, headName: unit.headName } : null),
    contact: (unit: PracticeUnit, _: unknown, ctx: OrgContext) => {
      ctx.actor.requireAuthenticated();
      if (!ctx.actor.isStaff) throw new Forbidden();
      return { name: unit.contactName, phone: unit.contactPhone };
    },
    sevenHaves: async (unit: PracticeUnit, _: unknown, ctx: OrgContext) => checklist(unit.id, await ctx.loaders.sevenHaves.load(unit.id)),
    sevenHavesScore: async (unit: PracticeUnit, _: unknown, ctx: OrgContext) =>
      (await ctx.loaders.sevenHaves.load(unit.id)).filter((row) => row.met).length,
    teams: async (unit: PracticeUnit, args: PageArgs, ctx: OrgContext) => {
      const page = readPage(args, 'team');
      const rows = await ctx.loaders.teamsByHomeUnit.load({ parentId: unit.id, page });
      return toConnection(rows, page, 'team', (row) => row.id, () => ctx.loaders.teamCountByHomeUnit.load(unit.id));
    },
  },
};
