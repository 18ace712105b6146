import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Actor } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { BadUserInput, Conflict, NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { fields, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { OrgLoaders } from '../loaders';
import { actorOf, lockTree } from '../org-shared';
import { PracticeUnit } from '../units/unit.entity';
import { LEVEL_ZH } from '../units/unit-levels';
import { likePattern, UNIT_ADMINS, UnitService } from '../units/unit.service';
import { Team } from './team.entity';
import { KIND_ZH, TEAM_KINDS, TEAM_RULES, TeamKind } from './team-kinds';

const teamCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9-]{0,79}$/);

const createTeamInput = z.object({
  name: fields.text(100),
  kind: z.enum(TEAM_KINDS),
  specialty: fields.text(50).nullish(),
  parentTeamId: fields.id().nullish(),
  homeUnitId: fields.id(),
  code: teamCode.nullish(),
});

const updateTeamInput = z.object({
  id: fields.id(),
  name: fields.text(100).optional(),
  specialty: fields.text(50).nullable().optional(),
  parentTeamId: fields.id().optional(),
  homeUnitId: fields.id().optional(),
});

export interface TeamFilter {
  kind?: TeamKind | null;
  homeUnitId?: string | null;
  withinUnitId?: string | null;
  parentTeamId?: string | null;
  search?: string | null;
}

/** Teams of the volunteer force; their structure (which kind under which, based where) is `TEAM_RULES`. */
export class TeamService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrgLoaders,
    private readonly units: UnitService,
    private readonly eventsWritten: () => void,
  ) {}

  async get(id: string): Promise<Team | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.teamById.load(id) : null;
  }

  async list(filter: TeamFilter | null | undefined, args: PageArgs) {
    this.actor.requireAuthenticated();
    const page = readPage(args, 'team');
    const query = this.dataSource.getRepository(Team).createQueryBuilder('t');
    const idOrNone = (id: string) => (isBigintId(id) ? id : '0');
    if (filter?.kind) query.andWhere('t.kind = :kind', { kind: filter.kind });
    if (filter?.homeUnitId) query.andWhere('t.home_unit_id = :home', { home: idOrNone(filter.homeUnitId) });
    if (filter?.parentTeamId) query.andWhere('t.parent_team_id = :parent', { parent: idOrNone(filter.parentTeamId) });
    if (filter?.withinUnitId) {
      const within = (await this.units.get(filter.withinUnitId))?.path ?? '-';
      query.andWhere('(t.home_unit_path = :within OR t.home_unit_path LIKE :prefix)', { within, prefix: `${within}/%` });
    }
    if (filter?.search?.trim()) {
      query.andWhere('(t.name ILIKE :s OR t.code ILIKE :s OR t.specialty ILIKE :s)', { s: likePattern(filter.search.trim()) });
    }
    const counted = query.clone();
    if (page.afterKey) query.andWhere('t.id > :after', { after: page.afterKey });
    const rows = await query.orderBy('t.id').limit(page.limit + 1).getMany();
    return toConnection(rows, page, 'team', (team) => team.id, () => counted.getCount());
  }

  async create(raw: unknown): Promise<Team> {
    const claims = this.actor.requireRole(...UNIT_ADMINS);
    const input = parseInput(createTeamInput, raw);
    const team = await this.dataSource.transaction(async (manager) => {
      await lockTree(manager, 'shared');
      const home = await this.units.mustFindReference(manager, input.homeUnitId, 'input.homeUnitId');
      this.actor.requireScope(home.path, ...UNIT_ADMINS);
      const parent = input.parentTeamId ? await this.mustFindTeamReference(manager, input.parentTeamId, 'input.parentTeamId') : null;
      assertStructure(input.kind, parent, home);
      const [{ id }] = await manager.query(`SELECT nextval(pg_get_serial_sequence('team', 'id'))::text AS id`);
      const created = manager.create(Team, {
        id,
        code: input.code ?? `T-${input.kind}-${id}`,
        name: input.name,
        kind: input.kind,
        specialty: input.specialty ?? null,
        parentTeamId: parent?.id ?? null,
        homeUnitId: home.id,
        homeUnitPath: home.path,
      });
      try {
        await manager.insert(Team, created);
      } catch (error) {
        if (isUniqueViolation(error, 'team_code_key')) throw new Conflict('input.code', created.code);
        if (isUniqueViolation(error, 'team_one_corps')) throw new Conflict('input.kind', 'CORPS');
        throw error;
      }
      await recordEvent(manager, {
        type: 'org.team.created',
        actor: actorOf(claims),
        unitPath: home.path,
        payload: {
          teamId: id,
          code: created.code,
          kind: created.kind,
          name: created.name,
          homeUnitId: home.id,
          homeUnitPath: home.path,
          parentTeamId: created.parentTeamId,
        },
      });
      return manager.findOneByOrFail(Team, { id });
    });
    this.eventsWritten();
    return team;
  }

  async update(raw: unknown): Promise<Team> {
    const claims = this.actor.requireRole(...UNIT_ADMINS);
    const input = parseInput(updateTeamInput, raw);
    const team = await this.dataSource.transaction(async (manager) => {
      await lockTree(manager, 'shared');
      const current = await manager.findOneBy(Team, { id: input.id });
      if (!current) throw new NotFound('Team', input.id, '队伍');
      this.actor.requireScope(current.homeUnitPath, ...UNIT_ADMINS);
      const home = input.homeUnitId
        ? await this.units.mustFindReference(manager, input.homeUnitId, 'input.homeUnitId')
        : await manager.findOneByOrFail(PracticeUnit, { id: current.homeUnitId });
      this.actor.requireScope(home.path, ...UNIT_ADMINS);
      const parentId = input.parentTeamId ?? current.parentTeamId;
      const parent = parentId ? await this.mustFindTeamReference(manager, parentId, 'input.parentTeamId') : null;
      if (parent && parent.id === current.id) {
        throw new BadUserInput('input.parentTeamId', { key: 'input.invalid', detail: 'a team cannot belong to itself' });
      }
      assertStructure(current.kind, parent, home);
      const changes: Partial<Team> = { homeUnitId: home.id, homeUnitPath: home.path, parentTeamId: parent?.id ?? null, updatedAt: new Date() };
      if (input.name !== undefined) changes.name = input.name;
      if (input.specialty !== undefined) changes.specialty = input.specialty ?? null;
      await manager.update(Team, { id: current.id }, changes);
      const updated = await manager.findOneByOrFail(Team, { id: current.id });
      await recordEvent(manager, {
        type: 'org.team.updated',
        actor: actorOf(claims),
        unitPath: updated.homeUnitPath,
        payload: {
          teamId: updated.id,
          code: updated.code,
          kind: updated.kind,
          name: updated.name,
          homeUnitId: updated.homeUnitId,
          homeUnitPath: updated.homeUnitPath,
          parentTeamId: updated.parentTeamId,
        },
      });
      return updated;
    });
    this.loaders.teamById.clear(team.id).prime(team.id, team);
    this.eventsWritten();
    return team;
  }

  private async mustFindTeamReference(manager: EntityManager, id: string, field: string): Promise<Team> {
    const team = await manager.findOneBy(Team, { id });
    if (!team) throw new BadUserInput(field, { key: 'input.unknownReference', entity: 'team', entityZh: '队伍', id });
    return team;
  }
}

function assertStructure(kind: TeamKind, parent: Team | null, home: PracticeUnit): void {
  const rule = TEAM_RULES[kind];
  if (rule.parentKind === null && parent) {
    throw new BadUserInput('input.parentTeamId', { key: 'input.invalid', detail: 'the corps has no parent team' });
  }
  if (rule.parentKind !== null) {
    if (!parent) throw new BadUserInput('input.parentTeamId', { key: 'input.required' });
    if (parent.kind !== rule.parentKind) {
      throw new BadUserInput('input.parentTeamId', {
        key: 'org.teamParent',
        kind,
        parentKind: parent.kind,
        kindZh: KIND_ZH[kind],
        parentKindZh: KIND_ZH[parent.kind],
      });
    }
  }
  if (home.level !== rule.homeLevel) {
    throw new BadUserInput('input.homeUnitId', {
      key: 'input.invalid',
      detail: `a ${kind} team is based at a ${rule.homeLevel} (${LEVEL_ZH[rule.homeLevel]})`,
    });
  }
}
