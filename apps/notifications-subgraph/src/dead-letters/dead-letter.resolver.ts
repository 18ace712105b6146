import { maskMobile } from '@kz/auth';
import type { PageArgs } from '@kz/subgraph';
import type { NotificationsContext } from '../context';
import type { DeliveryView } from './dead-letter.service';

export const deadLetterResolvers = {
  Query: {
    failedNotifications: (_: unknown, args: PageArgs, ctx: NotificationsContext) => ctx.deadLetters.failed(args),
  },
  Mutation: {
    retryNotification: (_: unknown, args: { input: unknown }, ctx: NotificationsContext) => ctx.deadLetters.retry(args.input),
  },
  NotificationDelivery: {
    address: (delivery: DeliveryView) => (delivery.address ? maskMobile(delivery.address) : null),
    // Staff who may see the dead letter may see what it carries.
    notification: (delivery: DeliveryView, _: unknown, ctx: NotificationsContext) => ctx.loaders.notificationById.load(delivery.notificationId),
    recipient: (delivery: DeliveryView) => ({ __typename: 'Person', id: delivery.recipientId }),
  },
};
