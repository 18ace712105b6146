import type { EntityManager } from 'typeorm';
import { Notification } from '@kz/notifications';
import { byIdLoader } from '@kz/subgraph';

/** Every batched lookup of the notifications subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return { notificationById: byIdLoader(manager, Notification) };
}

export type NotificationsLoaders = ReturnType<typeof createLoaders>;
