import { OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000 } from '@kz/db';
import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { buildOrgContext, OrgContext } from './context';
import { Initial1764300000000 } from './migrations/1764300000000-initial';
import { UnitLegal1768720000000 } from './migrations/1768720000000-unit-legal';
import { SevenHavesCheck } from './seven-haves/seven-haves';
import { Team } from './teams/team.entity';
import { teamResolvers } from './teams/team.resolver';
import { PracticeUnit } from './units/unit.entity';
import { unitResolvers } from './units/unit.resolver';

export { seedOrg } from './seed/org-seeder';
export type { SeedCounts } from './seed/org-seeder';

export const orgEntities = [PracticeUnit, SevenHavesCheck, Team];
export const orgMigrations = [Initial1764300000000, OutboxPublishedIndex1768000000000, UnitLegal1768720000000, OutboxTraceparent1769500000000];

/** The organization subgraph: the practice hierarchy, the seven haves and the volunteer teams. */
export function startOrgSubgraph(config: Config, options: { port?: number; log?: Logger } = {}): Promise<RunningSubgraph> {
  return startSubgraphService<OrgContext>({
    name: 'org',
    config,
    port: options.port ?? config.ORG_PORT,
    database: config.ORG_DATABASE,
    entities: orgEntities,
    migrations: orgMigrations,
    schemaFile: appFile(__dirname, 'schema.graphql'),
    resolvers: {
      DateTime: DateTimeScalar,
      Query: { ...unitResolvers.Query, ...teamResolvers.Query },
      Mutation: { ...unitResolvers.Mutation, ...teamResolvers.Mutation },
      PracticeUnit: unitResolvers.PracticeUnit,
      Team: teamResolvers.Team,
    },
    buildContext: buildOrgContext,
    log: options.log,
  });
}
