import type { VolunteersContext } from '../context';
import type { OrderRepresentation } from './suggestion.service';

/** Fields this subgraph adds to the orders subgraph's `ServiceOrder`; the gateway hands over the required fields. */
export const suggestionResolvers = {
  ServiceOrder: {
    suggestedVolunteers: (order: OrderRepresentation, args: { first?: number | null }, ctx: VolunteersContext) =>
      ctx.suggestions.forOrder(order, args.first),
  },
};
