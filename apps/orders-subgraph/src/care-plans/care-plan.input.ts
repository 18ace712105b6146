import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { beneficiary, location } from '../orders/order.input';
import { CARE_FREQUENCIES } from './care-plan.entity';

const volunteerIds = z.array(fields.id()).max(20);

export const createCarePlanInput = z.object({
  beneficiary,
  address: fields.text(200).nullish(),
  location: location.nullish(),
  stationId: fields.id(),
  squadId: fields.id().nullish(),
  volunteerIds: volunteerIds.nullish(),
  frequency: z.enum(CARE_FREQUENCIES),
  firstVisitAt: z.date(),
});

export const updateCarePlanInput = z.object({
  id: fields.id(),
  frequency: z.enum(CARE_FREQUENCIES).nullish(),
  volunteerIds: volunteerIds.nullish(),
  active: z.boolean().nullish(),
});

export const carePlanVisitInput = z.object({ carePlanId: fields.id(), dueAt: z.date() });

export const missedVisitInput = z.object({ carePlanId: fields.id(), orderId: fields.id() });

export const carePlanFilter = z
  .object({
    withinUnitId: fields.id().nullish(),
    active: z.boolean().nullish(),
  })
  .nullish();
