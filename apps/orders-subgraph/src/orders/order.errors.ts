import { BadUserInput, DomainError } from '@kz/errors';
import type { UnitRef } from '@kz/org-replica';

/** The refusals of orders that are more than a wrong state or a denial; each says what would have to change. */

/** startService before anyone is assigned: the order cannot move on yet. */
export class NoAssignees extends DomainError<'INVALID_TRANSITION'> {
  constructor() {
    super('INVALID_TRANSITION', 'order.noAssignees', { entity: 'service order', from: 'ACCEPTED', event: 'start', to: 'IN_PROGRESS' });
  }
}

export function unknownUnit(field: string, id: string): BadUserInput {
  return new BadUserInput(field, { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id });
}

/** Orders and care plans belong to a station (or a practice point below one), never to an institute or the center. */
export function notStation(field: string, unit: UnitRef): BadUserInput {
  return new BadUserInput(field, { key: 'order.notStation', id: unit.id, level: unit.level });
}

export function notAssignee(field: string, volunteerId: string): BadUserInput {
  return new BadUserInput(field, { key: 'order.notAssignee', id: volunteerId });
}

export function listedTwice(field: string, volunteerId: string): BadUserInput {
  return new BadUserInput(field, { key: 'order.listedTwice', id: volunteerId });
}

export function notVisitOfPlan(field: string, orderId: string): BadUserInput {
  return new BadUserInput(field, { key: 'order.notVisitOfPlan', id: orderId });
}
