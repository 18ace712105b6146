import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import type { Page } from '@kz/subgraph';
import type { UnitRef } from '../units/unit-ref';
import type { VolunteerDecision } from './volunteer-statuses';
import { Volunteer } from './volunteer.entity';

/**
 * Whose volunteers a caller may list: everyone's (center), those based in a subtree (staff), or only their own
 * (residents and volunteers). The same condition guards every list, so totals agree with pages.
 */
export type VolunteerScope = { kind: 'all' } | { kind: 'subtree'; path: string } | { kind: 'self'; personId: string };

export interface SkillRow {
  code: string;
  name: string;
}

export interface MembershipRow {
  teamId: string;
  isLeader: boolean;
  joinedAt: Date;
}

export interface ReviewRow {
  decision: VolunteerDecision;
  reason: string | null;
  decidedBy: string;
  decidedAt: Date;
}

export interface VolunteerStatsRow {
  registered: number;
  active: number;
  pending: number;
  verifiedMinutes: number;
  services: number;
}

/** A page of the volunteers of one parent (a station or a team), as far as `scope` lets the caller see. */
export interface VolunteerPageKey {
  parentId: string;
  page: Page;
  scope: VolunteerScope;
}

export interface VolunteerCountKey {
  parentId: string;
  scope: VolunteerScope;
}

export interface VolunteerStatsKey {
  unitPath: string;
  from: Date | null;
  to: Date | null;
}

type Parent = 'station' | 'team';

/**
 * The SQL condition of a scope on the volunteer alias `v`, with its parameters numbered from `next`. A subtree is a
 * prefix match on the stored path, which the `text_pattern_ops` indexes serve.
 */
export function scopeCondition(scope: VolunteerScope, next: number): { sql: string; params: unknown[] } {
  switch (scope.kind) {
    case 'all':
      return { sql: 'TRUE', params: [] };
    case 'subtree':
      return { sql: `(v.home_station_path = $${next} OR v.home_station_path LIKE $${next + 1})`, params: [scope.path, `${scope.path}/%`] };
    case 'self':
      return { sql: `v.person_id = $${next}`, params: [scope.personId] };
  }
}

function scopeKey(scope: VolunteerScope): string {
  return scope.kind === 'all' ? 'all' : scope.kind === 'subtree' ? `subtree:${scope.path}` : `self:${scope.personId}`;
}

/** How a parent's volunteers are found: by home station, or through the membership table. */
const PARENT_SQL: Record<Parent, { from: string; match: string; order: string }> = {
  station: { from: 'volunteer v', match: 'v.home_station_id = p.id', order: 'v.id' },
  team: { from: 'team_membership m JOIN volunteer v ON v.id = m.volunteer_id', match: 'm.team_id = p.id', order: 'm.volunteer_id' },
};

/** The batched lookups of the volunteer profile, created fresh for each request with the other loaders. */
export function createVolunteerLoaders(manager: EntityManager) {
  return {
    volunteerByPerson: new DataLoader<string, Volunteer | null>(async (personIds) => {
      const rows = await manager.query('SELECT * FROM volunteer WHERE person_id = ANY($1::bigint[])', [personIds]);
      const byPerson = new Map(hydrate(manager, Volunteer, rows).map((volunteer) => [volunteer.personId, volunteer]));
      return personIds.map((id) => byPerson.get(id) ?? null);
    }),
    skillByCode: new DataLoader<string, SkillRow | null>(async (codes) => {
      const rows: SkillRow[] = await manager.query('SELECT code, name FROM skill WHERE code = ANY($1::text[])', [codes]);
      const byCode = new Map(rows.map((row) => [row.code, row]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
    /** Each volunteer's teams, in joining order. */
    membershipsByVolunteer: new DataLoader<string, MembershipRow[]>(async (volunteerIds) => {
      const rows: (MembershipRow & { volunteerId: string })[] = await manager.query(
        `SELECT volunteer_id::text AS "volunteerId", team_id::text AS "teamId", is_leader AS "isLeader", joined_at AS "joinedAt"
           FROM team_membership WHERE volunteer_id = ANY($1::bigint[]) ORDER BY volunteer_id, joined_at, team_id`,
        [volunteerIds],
      );
      return group(volunteerIds, rows, (row) => row.volunteerId);
    }),
    /** Each volunteer's review history, oldest first. */
    reviewsByVolunteer: new DataLoader<string, ReviewRow[]>(async (volunteerIds) => {
      const rows: (ReviewRow & { volunteerId: string })[] = await manager.query(
        `SELECT volunteer_id::text AS "volunteerId", decision, reason, decided_by AS "decidedBy", decided_at AS "decidedAt"
           FROM volunteer_review WHERE volunteer_id = ANY($1::bigint[]) ORDER BY volunteer_id, id`,
        [volunteerIds],
      );
      return group(volunteerIds, rows, (row) => row.volunteerId);
    }),
    unitRefById: new DataLoader<string, UnitRef | null>(async (ids) => {
      const rows: UnitRef[] = await manager.query('SELECT id::text, code, path, level, name FROM unit_ref WHERE id = ANY($1::bigint[])', [ids]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    volunteerPageByStation: volunteerPageLoader(manager, 'station'),
    volunteerCountByStation: volunteerCountLoader(manager, 'station'),
    volunteerPageByTeam: volunteerPageLoader(manager, 'team'),
    volunteerCountByTeam: volunteerCountLoader(manager, 'team'),
    volunteerStats: volunteerStatsLoader(manager),
  };
}

export type VolunteerLoaders = ReturnType<typeof createVolunteerLoaders>;

function group<R>(keys: readonly string[], rows: R[], keyOf: (row: R) => string): R[][] {
  const byKey = new Map<string, R[]>();
  for (const row of rows) byKey.set(keyOf(row), [...(byKey.get(keyOf(row)) ?? []), row]);
  return keys.map((key) => byKey.get(key) ?? []);
}

/**
 * One page of volunteers for each of many parents: keys with the same page size, cursor and scope share one
 * statement (a LATERAL join per parent), so a list of N units or teams with their volunteers costs one query.
 */
function volunteerPageLoader(manager: EntityManager, parent: Parent): DataLoader<VolunteerPageKey, Volunteer[], string> {
  const groupOf = (key: VolunteerPageKey) => `${key.page.limit}|${key.page.afterKey ?? ''}|${scopeKey(key.scope)}`;
  const { from, match, order } = PARENT_SQL[parent];
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, VolunteerPageKey[]>();
      for (const key of keys) groups.set(groupOf(key), [...(groups.get(groupOf(key)) ?? []), key]);
      const byParent = new Map<string, Volunteer[]>();
      for (const [name, members] of groups) {
        const { page, scope } = members[0]!;
        const condition = scopeCondition(scope, 4);
        const rows: Record<string, unknown>[] = await manager.query(
          `SELECT p.id::text AS parent_id, c.* FROM unnest($1::bigint[]) AS p(id)
           CROSS JOIN LATERAL (
             SELECT v.* FROM ${from}
              WHERE ${match} AND ($2::bigint IS NULL OR ${order} > $2::bigint) AND ${condition.sql}
              ORDER BY ${order} LIMIT $3
           ) c`,
          [members.map((key) => key.parentId), page.afterKey, page.limit + 1, ...condition.params],
        );
        hydrate(manager, Volunteer, rows).forEach((volunteer, index) => {
          const parentKey = `${name}|${String(rows[index]!.parent_id)}`;
          byParent.set(parentKey, [...(byParent.get(parentKey) ?? []), volunteer]);
        });
      }
      return keys.map((key) => byParent.get(`${groupOf(key)}|${key.parentId}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.parentId}|${groupOf(key)}` },
  );
}

/** How many volunteers each of many parents has within the scope, one GROUP BY per scope. */
function volunteerCountLoader(manager: EntityManager, parent: Parent): DataLoader<VolunteerCountKey, number, string> {
  const column = parent === 'station' ? 'v.home_station_id' : 'm.team_id';
  const { from } = PARENT_SQL[parent];
  return new DataLoader(
    async (keys) => {
      const counts = new Map<string, number>();
      const byScope = new Map<string, VolunteerCountKey[]>();
      for (const key of keys) byScope.set(scopeKey(key.scope), [...(byScope.get(scopeKey(key.scope)) ?? []), key]);
      for (const [name, members] of byScope) {
        const condition = scopeCondition(members[0]!.scope, 2);
        const rows: { parent: string; n: number }[] = await manager.query(
          `SELECT ${column}::text AS parent, count(*)::int AS n FROM ${from}
            WHERE ${column} = ANY($1::bigint[]) AND ${condition.sql} GROUP BY ${column}`,
          [members.map((key) => key.parentId), ...condition.params],
        );
        for (const row of rows) counts.set(`${name}|${row.parent}`, row.n);
      }
      return keys.map((key) => counts.get(`${scopeKey(key.scope)}|${key.parentId}`) ?? 0);
    },
    { cacheKeyFn: (key) => `${key.parentId}|${scopeKey(key.scope)}` },
  );
}

/**
 * Volunteer figures of many subtrees in one statement per period. Subtree matches use the pattern operators
 * (`~>=~`, `~<~`) on `path/` … `path0` (`0` follows `/`), which the `text_pattern_ops` indexes serve even though
 * the bounds come from each unit's row.
 */
function volunteerStatsLoader(manager: EntityManager): DataLoader<VolunteerStatsKey, VolunteerStatsRow, string> {
  const periodOf = (key: VolunteerStatsKey) => `${key.from?.toISOString() ?? ''}|${key.to?.toISOString() ?? ''}`;
  return new DataLoader(
    async (keys) => {
      const stats = new Map<string, VolunteerStatsRow>();
      const byPeriod = new Map<string, VolunteerStatsKey[]>();
      for (const key of keys) byPeriod.set(periodOf(key), [...(byPeriod.get(periodOf(key)) ?? []), key]);
      for (const [period, members] of byPeriod) {
        const rows: (VolunteerStatsRow & { path: string })[] = await manager.query(
          `SELECT u.path, s.registered, s.active, s.pending, r.minutes AS "verifiedMinutes", r.services
             FROM unnest($1::text[]) AS u(path)
             CROSS JOIN LATERAL (
               SELECT count(*)::int AS registered,
                      count(*) FILTER (WHERE v.status = 'ACTIVE')::int AS active,
                      count(*) FILTER (WHERE v.status = 'PENDING')::int AS pending
                 FROM volunteer v
                WHERE v.home_station_path = u.path
                   OR (v.home_station_path ~>=~ (u.path || '/') AND v.home_station_path ~<~ (u.path || '0'))
             ) s
             CROSS JOIN LATERAL (
               SELECT coalesce(sum(r.minutes), 0)::int AS minutes, count(*)::int AS services
                 FROM service_record r
                WHERE r.status = 'VERIFIED'
                  AND (r.unit_path = u.path OR (r.unit_path ~>=~ (u.path || '/') AND r.unit_path ~<~ (u.path || '0')))
                  AND ($2::timestamptz IS NULL OR r.started_at >= $2) AND ($3::timestamptz IS NULL OR r.started_at < $3)
             ) r`,
          [[...new Set(members.map((key) => key.unitPath))], members[0]!.from, members[0]!.to],
        );
        for (const row of rows) {
          const { path, ...figures } = row;
          stats.set(`${path}|${period}`, figures);
        }
      }
      return keys.map((key) => stats.get(`${key.unitPath}|${periodOf(key)}`)!);
    },
    { cacheKeyFn: (key) => `${key.unitPath}|${periodOf(key)}` },
  );
}
