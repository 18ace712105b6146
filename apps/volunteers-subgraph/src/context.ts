import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@kz/subgraph';
import { ActivitySignUpService } from './activities/activity-signup.service';
import { ActivityService } from './activities/activity.service';
import { createLoaders, VolunteersLoaders } from './loaders';
import { Identity, PersonService } from './people/person.service';
import { RecordService } from './records/record.service';
import { ServiceReadsService } from './service-reads/service-reads.service';
import { SuggestionService } from './suggestions/suggestion.service';
import { SkillService } from './volunteers/skills';
import { TeamMembershipService } from './volunteers/team-membership.service';
import { VolunteerService } from './volunteers/volunteer.service';

export interface VolunteersContext extends SubgraphContext {
  loaders: VolunteersLoaders;
  activities: ActivityService;
  signUps: ActivitySignUpService;
  people: PersonService;
  volunteers: VolunteerService;
  teamMemberships: TeamMembershipService;
  skills: SkillService;
  records: RecordService;
  suggestions: SuggestionService;
  serviceReads: ServiceReadsService;
}

export function buildVolunteersContext(base: SubgraphContext, dataSource: DataSource, identity: Identity): VolunteersContext {
  const loaders = createLoaders(dataSource.manager);
  const volunteers = new VolunteerService(dataSource, base.actor, loaders, identity.vault, () => base.eventsWritten());
  return {
    ...base,
    loaders,
    activities: new ActivityService(dataSource, base.actor, loaders, () => base.eventsWritten()),
    signUps: new ActivitySignUpService(dataSource, base.actor, loaders),
    people: new PersonService(dataSource, base.actor, loaders, identity),
    volunteers,
    teamMemberships: new TeamMembershipService(dataSource, base.actor, volunteers),
    skills: new SkillService(dataSource, base.actor, loaders),
    records: new RecordService(dataSource, base.actor, loaders, () => base.eventsWritten()),
    suggestions: new SuggestionService(base.actor, loaders),
    serviceReads: new ServiceReadsService(dataSource.manager, base.actor),
  };
}
