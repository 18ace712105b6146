export { Notification } from './inbox/notification.entity';
export { Delivery, DELIVERY_STATUSES } from './deliveries/delivery.entity';
export type { DeliveryStatus } from './deliveries/delivery.entity';
export { deliveryEnvelope, deliveryJobId, DELIVERY_JOB_OPTIONS } from './deliveries/delivery-jobs';
export { NotificationPreference } from './preferences/notification-preference.entity';
export { chooseChannels, defaultChannels, EVERY_KIND } from './preferences/preferences';
export { Notifications1765000000000 } from './migrations/1765000000000-notifications';
export { NOTIFICATION_ROUTES, isUrgent, linkOf } from './routing/notification-routes';
export { followUnitMove, MAINTENANCE_EVENTS, NOTIFICATION_PATH_COLUMNS, UNIT_MOVES_CONSUMER } from './moves/unit-moves';
export type { MaintenanceEvent } from './moves/unit-moves';
export { ACCOUNT_CLOSURES_CONSUMER, forgetClosedAccount } from './closures/account-closures';
export type { Audience, NotificationRoute, RecipientRule, RecipientSpec, UrgencyRule } from './routing/notification-routes';
export { renderTemplate, templateKey, TEMPLATES } from './templates/templates';
export type { TemplateLocale, TemplateParams } from './templates/templates';
export { CHANNELS, OUTBOUND_CHANNELS, classifyStatus } from './channels/channel';
export type { Channel, ChannelName, OutboundChannel, OutboundMessage, SendOutcome } from './channels/channel';
export { ConsoleChannel } from './channels/console-channel';
export { WebhookChannel, webhookSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './channels/webhook-channel';
export type { WebhookOptions } from './channels/webhook-channel';
export { ChannelsByName, WeChatSubscribeChannel } from './channels/wechat-channel';
export type { SubscribeMessageSender } from './channels/wechat-channel';
export { formatShanghai, parseQuietHours, quietUntil } from './schedule/quiet-hours';
export type { QuietHours } from './schedule/quiet-hours';
export { backoffMs, DEFAULT_RETRY_POLICY } from './schedule/backoff';
export type { RetryPolicy } from './schedule/backoff';
export { HourlyRateLimit } from './schedule/rate-limit';
export type { RateDecision } from './schedule/rate-limit';

import { Delivery } from './deliveries/delivery.entity';
import { Notification } from './inbox/notification.entity';
import { Notifications1765000000000 } from './migrations/1765000000000-notifications';
import { NotificationPreference } from './preferences/notification-preference.entity';
import { DeliveryDueIndex1768000000001 } from './migrations/1768000000001-delivery-due-index';
import { OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000 } from '@kz/db';

/** The notifications database, as both of its processes (the subgraph and the worker) open it. */
export const notificationEntities = [Notification, Delivery, NotificationPreference];
export const notificationMigrations = [Notifications1765000000000, OutboxPublishedIndex1768000000000, DeliveryDueIndex1768000000001, OutboxTraceparent1769500000000];
