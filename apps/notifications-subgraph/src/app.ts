import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { notificationEntities, notificationMigrations } from '@kz/notifications';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { buildNotificationsContext, NotificationsContext } from './context';
import { deadLetterResolvers } from './dead-letters/dead-letter.resolver';
import { inboxResolvers } from './inbox/inbox.resolver';
import { preferenceResolvers } from './preferences/preference.resolver';

/**
 * The notifications subgraph: the in-app inbox, channel preferences and the dead-letter list, over the notifications
 * database it shares with the notification worker (which writes the inbox and sends outbound messages).
 */
export function startNotificationsSubgraph(config: Config, options: { port?: number; log?: Logger } = {}): Promise<RunningSubgraph> {
  return startSubgraphService<NotificationsContext>({
    name: 'notifications',
    config,
    port: options.port ?? config.NOTIFICATIONS_PORT,
    database: config.NOTIFICATIONS_DATABASE,
    entities: notificationEntities,
    migrations: notificationMigrations,
    schemaFile: appFile(__dirname, 'schema.graphql'),
    resolvers: {
      DateTime: DateTimeScalar,
      Query: { ...inboxResolvers.Query, ...preferenceResolvers.Query, ...deadLetterResolvers.Query },
      Mutation: { ...inboxResolvers.Mutation, ...preferenceResolvers.Mutation, ...deadLetterResolvers.Mutation },
      Notification: inboxResolvers.Notification,
      NotificationDelivery: deadLetterResolvers.NotificationDelivery,
    },
    buildContext: (base, dataSource) => buildNotificationsContext(base, dataSource),
    log: options.log,
  });
}
