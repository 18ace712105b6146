import { Notification, renderTemplate } from '@kz/notifications';
import type { PageArgs } from '@kz/subgraph';
import type { NotificationsContext } from '../context';

/** The stored text is zh-CN; a reader who asks for English gets the same template in English. */
const text = (part: 'title' | 'body') => (notification: Notification, _: unknown, ctx: NotificationsContext) =>
  (ctx.locale === 'zh-CN' ? null : renderTemplate(notification.kind, notification.audience, notification.params, ctx.locale)?.[part]) ?? notification[part];

/** Thin: arguments in, service call, shape out. */
export const inboxResolvers = {
  Query: {
    myNotifications: (_: unknown, args: PageArgs & { unreadOnly?: boolean | null }, ctx: NotificationsContext) => ctx.inbox.mine(args),
    unreadNotificationCount: (_: unknown, __: unknown, ctx: NotificationsContext) => ctx.inbox.unreadCount(),
  },
  Mutation: {
    markNotificationsRead: (_: unknown, args: { input: unknown }, ctx: NotificationsContext) => ctx.inbox.markRead(args.input),
  },
  Notification: {
    __resolveReference: (ref: { id: string }, ctx: NotificationsContext) => ctx.inbox.reference(ref.id),
    title: text('title'),
    body: text('body'),
  },
};
