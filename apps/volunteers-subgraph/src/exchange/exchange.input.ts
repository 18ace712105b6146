import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { EXCHANGE_TARGETS, EXPORT_FORMATS, EXTERNAL_ENTITY_KINDS } from './exchange-targets';

export const setExternalIdInput = z.object({
  kind: z.enum(EXTERNAL_ENTITY_KINDS),
  entityId: fields.id(),
  target: z.enum(EXCHANGE_TARGETS),
  externalId: fields.text(100),
});

export const exportInput = z.object({
  unitId: fields.id(),
  /** Records whose service started at or after `from`, and before `to`; either may be left open. */
  from: z.date().nullish(),
  to: z.date().nullish(),
  format: z.enum(EXPORT_FORMATS).nullish(),
});
export type ExportInput = z.output<typeof exportInput>;

export const exportLogArgs = z.object({ limit: fields.range(1, 200).nullish() });
