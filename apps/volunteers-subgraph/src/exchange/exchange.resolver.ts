import { isBigintId } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { ServiceRecord } from '../records/record.entity';
import type { Volunteer } from '../volunteers/volunteer.entity';
import type { ExportLogRow, ExternalIdRow } from './exchange.service';

type Input = { input: unknown };

/** Thin: arguments in, service call, shape out. The rules live in `ExchangeService` and `ExportService`. */
export const exchangeResolvers = {
  Query: {
    exportLog: (_: unknown, args: unknown, ctx: VolunteersContext) => ctx.exchange.exportLog(args),
  },
  Mutation: {
    setExternalId: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.exchange.setExternalId(args.input),
    exportServiceRecords: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.exports.export(args.input),
  },
  Volunteer: {
    externalIds: (volunteer: Volunteer, _: unknown, ctx: VolunteersContext) => ctx.exchange.idsOf('VOLUNTEER', volunteer.id, volunteer.homeStationPath),
  },
  ServiceRecord: {
    externalIds: (record: ServiceRecord, _: unknown, ctx: VolunteersContext) => ctx.exchange.idsOf('RECORD', record.id, record.unitPath),
  },
  ExternalId: {
    setBy: (row: ExternalIdRow, _: unknown, ctx: VolunteersContext) => (isBigintId(row.setBy) ? ctx.loaders.personById.load(row.setBy) : null),
  },
  ExportLogEntry: {
    exportedBy: (row: ExportLogRow, _: unknown, ctx: VolunteersContext) =>
      isBigintId(row.exportedBy) ? ctx.loaders.personById.load(row.exportedBy) : null,
    unit: (row: ExportLogRow) => ({ __typename: 'PracticeUnit', id: row.unitId }),
  },
};
