import { maskMobile } from '@kz/auth';
import type { PageArgs } from '@kz/subgraph';
import type { NotificationsContext } from '../context';
import type { DeliveryView } from './dead-letter.service';

/** A mobile number as 139****0008; the openid of a WeChat subscribe message as its first four characters and ****. */
function maskAddress(address: string | null): string | null {
  if (!address) return null;
  return /^1\d{10}$/.test(address) ? maskMobile(address) : `${address.slice(0, 4)}****`;
}

export const deadLetterResolvers = {
  Query: {
    failedNotifications: (_: unknown, args: PageArgs, ctx: NotificationsContext) => ctx.deadLetters.failed(args),
  },
  Mutation: {
    retryNotification: (_: unknown, args: { input: unknown }, ctx: NotificationsContext) => ctx.deadLetters.retry(args.input),
  },
  NotificationDelivery: {
    address: (delivery: DeliveryView) => maskAddress(delivery.address),
    // Staff who may see the dead letter may see what it carries.
    notification: (delivery: DeliveryView, _: unknown, ctx: NotificationsContext) => ctx.loaders.notificationById.load(delivery.notificationId),
    recipient: (delivery: DeliveryView) => ({ __typename: 'Person', id: delivery.recipientId }),
  },
};
