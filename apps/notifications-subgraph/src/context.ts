import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { DeadLetterService } from './dead-letters/dead-letter.service';
import { InboxService } from './inbox/inbox.service';
import { createLoaders, NotificationsLoaders } from './loaders';
import { PreferenceService } from './preferences/preference.service';

export interface NotificationsContext extends SubgraphContext {
  loaders: NotificationsLoaders;
  inbox: InboxService;
  preferences: PreferenceService;
  deadLetters: DeadLetterService;
}

export function buildNotificationsContext(base: SubgraphContext, dataSource: DataSource): NotificationsContext {
  const loaders = createLoaders(dataSource.manager);
  return {
    ...base,
    loaders,
    inbox: new InboxService(dataSource, base.actor, loaders),
    preferences: new PreferenceService(dataSource, base.actor),
    deadLetters: new DeadLetterService(dataSource, base.actor, () => base.eventsWritten()),
  };
}
