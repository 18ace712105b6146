import type { EntityManager } from 'typeorm';
import DataLoader from 'dataloader';
import { hydrate } from '@kz/db';
import { byIdLoader, ChildPageKey, childCountLoader, childPageLoader } from '@kz/subgraph';
import { Person } from './people/person.entity';
import { TeamMembership } from './volunteers/team-membership.entity';
import { Volunteer } from './volunteers/volunteer.entity';

/** Every batched lookup of the volunteers subgraph, created fresh for each request. */
export function createLoaders(manager: EntityManager) {
  return {
    personById: byIdLoader(manager, Person),
    volunteerById: byIdLoader(manager, Volunteer),
    volunteersByHomeStation: childPageLoader(manager, Volunteer, { column: 'home_station_id', property: 'homeStationId' }),
    volunteerCountByHomeStation: childCountLoader(manager, Volunteer, 'home_station_id'),
    teamMembers: teamMembersLoader(manager),
    memberCountByTeam: childCountLoader(manager, TeamMembership, 'team_id'),
  };
}

export type VolunteersLoaders = ReturnType<typeof createLoaders>;

/**
 * One page of members for each of many teams, like `childPageLoader` but through the membership table: keys with the
 * same page size and cursor share one statement (a LATERAL join per team).
 */
function teamMembersLoader(manager: EntityManager): DataLoader<ChildPageKey, Volunteer[], string> {
  const pageOf = (key: ChildPageKey) => `${key.page.limit}|${key.page.afterKey ?? ''}`;
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, ChildPageKey[]>();
      for (const key of keys) groups.set(pageOf(key), [...(groups.get(pageOf(key)) ?? []), key]);
      const byTeam = new Map<string, Volunteer[]>();
      for (const [group, members] of groups) {
        const { limit, afterKey } = members[0]!.page;
        const rows: Record<string, unknown>[] = await manager.query(
          `SELECT p.id::text AS member_of, v.* FROM unnest($1::bigint[]) AS p(id)
           CROSS JOIN LATERAL (
             SELECT v.* FROM team_membership m JOIN volunteer v ON v.id = m.volunteer_id
              WHERE m.team_id = p.id AND ($2::bigint IS NULL OR m.volunteer_id > $2::bigint)
              ORDER BY m.volunteer_id LIMIT $3
           ) v`,
          [members.map((key) => key.parentId), afterKey, limit + 1],
        );
        hydrate(manager, Volunteer, rows).forEach((volunteer, index) => {
          const teamKey = `${group}|${String(rows[index]!.member_of)}`;
          byTeam.set(teamKey, [...(byTeam.get(teamKey) ?? []), volunteer]);
        });
      }
      return keys.map((key) => byTeam.get(`${pageOf(key)}|${key.parentId}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.parentId}|${pageOf(key)}` },
  );
}
