import { z } from 'zod';
import { fields } from '@kz/subgraph';

/** Most ids one `markNotificationsRead` may name. */
export const MAX_MARKED = 500;

export const markNotificationsReadInput = z
  .object({
    ids: z.array(fields.id()).min(1).max(MAX_MARKED).nullish(),
    all: z.boolean().nullish(),
  })
  .refine((input) => !!input.ids !== !!input.all, { path: ['ids'], params: { key: 'notifications.idsOrAll', max: MAX_MARKED } });
export type MarkNotificationsReadInput = z.output<typeof markNotificationsReadInput>;
