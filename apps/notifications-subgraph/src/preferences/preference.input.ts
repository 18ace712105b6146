import { z } from 'zod';
import { CHANNELS, EVERY_KIND, NOTIFICATION_ROUTES } from '@kz/notifications';

/** The kinds a preference may name: those people are notified of, or `*`. */
const KINDS = new Set([EVERY_KIND, ...Object.keys(NOTIFICATION_ROUTES)]);

const kind = z
  .string()
  .trim()
  .superRefine((kind, ctx) => {
    if (!KINDS.has(kind)) ctx.addIssue({ code: 'custom', params: { key: 'notifications.unknownKind', kind } });
  });

export const setNotificationPreferenceInput = z.object({
  kind,
  channels: z.array(z.enum(CHANNELS)).max(CHANNELS.length * 2),
});

export const recordWeChatSubscriptionInput = z.object({ kinds: z.array(kind).min(1).max(KINDS.size) });
export type SetNotificationPreferenceInput = z.output<typeof setNotificationPreferenceInput>;
