export const ORDER_STATUSES = [
  'SUBMITTED',
  'DISPATCHED',
  'ACCEPTED',
  'IN_PROGRESS',
  'DELIVERED',
  'EVALUATED',
  'CLOSED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
