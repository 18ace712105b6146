import type { NotificationsContext } from '../context';

export const preferenceResolvers = {
  Query: {
    myNotificationPreferences: (_: unknown, __: unknown, ctx: NotificationsContext) => ctx.preferences.mine(),
  },
  Mutation: {
    setNotificationPreference: (_: unknown, args: { input: unknown }, ctx: NotificationsContext) => ctx.preferences.set(args.input),
    recordWeChatSubscription: (_: unknown, args: { input: unknown }, ctx: NotificationsContext) => ctx.preferences.recordWeChatSubscription(args.input),
  },
};
