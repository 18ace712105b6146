import { z } from 'zod';
import { fields } from '@kz/subgraph';

export const retryNotificationInput = z.object({ deliveryId: fields.id() });
export type RetryNotificationInput = z.output<typeof retryNotificationInput>;
