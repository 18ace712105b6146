import type { DataSource, EntityManager } from 'typeorm';
import { Actor, ageOn, Claims, pathWithin, PiiVault, Role, STAFF_ROLES } from '@kz/auth';
import { hydrate, isUniqueViolation } from '@kz/db';
import { BadUserInput, Conflict, Forbidden, NotFound, Unauthenticated } from '@kz/errors';
import { EventActor, recordEvent } from '@kz/events';
import { Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import { ageOfPerson, checkConsent, insertConsents } from '../consent/consent';
import { insertPerson } from '../people/person-writer';
import { ResolvedIdentity, resolveIdentity } from '../people/person.input';
import { findUnit, UnitRef } from '../units/unit-ref';
import { assertCategoriesExist, assertSkillsExist } from './skills';
import { needsReason, REGISTRARS, rolesFor, transitionFor, VolunteerAction } from './volunteer-state-machine';
import type { ReviewRow, VolunteerScope, VolunteerStatsRow } from './volunteer.loaders';
import { scopeCondition } from './volunteer.loaders';
import { Volunteer } from './volunteer.entity';
import { Person } from '../people/person.entity';
import {
  RegisterVolunteerInput,
  registerVolunteerInput,
  reviewVolunteerInput,
  updateVolunteerProfileInput,
  volunteerFilter,
} from './volunteer.input';

/** Staff who see and edit the profiles (and the review history) of the volunteers of their subtree. */
export const PROFILE_STAFF: Role[] = REGISTRARS;
/** Roles that read every volunteer, wherever their unit. */
const READ_EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER'];

const VOLUNTEER_PAGE = 'volunteer';

/** What a volunteer list reads ahead in its statement besides the page: see `VolunteerService.list`. */
export interface VolunteerListReads {
  total: boolean;
  person: boolean;
  skills: boolean;
}

const READ_ALL: VolunteerListReads = { total: true, person: true, skills: true };
/** Column aliases of the list statement: the person's columns, and the skill names of the volunteer's codes. */
const PERSON_PREFIX = 'person:';
const SKILLS_COLUMN = 'skills:names';

/**
 * The volunteer profile: who may see which volunteers, registration (self or assisted), the review moves of
 * `VOLUNTEER_TRANSITIONS`, and profile changes. Every change writes its event in the same transaction.
 */
export class VolunteerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly vault: PiiVault,
    private readonly eventsWritten: () => void,
  ) {}

  /** Everyone's volunteers (center), those of the caller's subtree (staff), or only their own. */
  readScope(): VolunteerScope {
    const claims = this.actor.requireAuthenticated();
    if (this.actor.hasRole(...READ_EVERYWHERE)) return { kind: 'all' };
    if (this.actor.isStaff && claims.unitPath) return { kind: 'subtree', path: claims.unitPath };
    // A person id that can match no row keeps a non-person caller (SERVICE, a malformed subject) out.
    return { kind: 'self', personId: isBigintId(claims.sub) ? claims.sub : '0' };
  }

  /** Whether the caller may read this volunteer: themself, or staff whose subtree holds the home station. */
  canRead(volunteer: Volunteer): boolean {
    if (this.actor.personId === volunteer.personId) return true;
    const scope = this.readScope();
    return scope.kind === 'all' || (scope.kind === 'subtree' && pathWithin(volunteer.homeStationPath ?? '', scope.path));
  }

  /**
   * A volunteer by id. Outside the caller's scope it is FORBIDDEN, and so is a missing one for callers who do not
   * see everywhere: the answer never tells whether a record exists outside one's scope.
   */
  async get(id: string): Promise<Volunteer | null> {
    const scope = this.readScope();
    const volunteer = isBigintId(id) ? await this.loaders.volunteerById.load(id) : null;
    if (!volunteer) {
      if (scope.kind === 'all') return null;
      throw new Forbidden();
    }
    if (!this.canRead(volunteer)) throw new Forbidden();
    return volunteer;
  }

  /**
   * A volunteer another subgraph refers to (an order's assignee, a care plan's volunteer): that subgraph returned the
   * reference from a record the caller may read, which makes the caller a party to it (the same reasoning as
   * `PersonService.reference`). The personal fields keep their own rules: the person in the party view, the
   * availability, status reason and review history only for those who see the profile.
   */
  async reference(id: string): Promise<Volunteer | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.volunteerById.load(id) : null;
  }

  /**
   * Volunteers matching the filter within the caller's scope, in id order. One statement answers the page with what
   * `read` says the operation asks for besides: the total, each volunteer's person and the names of their skills
   * (primed into the request's loaders, which the field resolvers then read without a statement of their own), and
   * the path of `filter.withinUnitId`.
   */
  async list(rawFilter: unknown, args: PageArgs, read: VolunteerListReads = READ_ALL): Promise<Connection<Volunteer>> {
    const scope = this.readScope();
    const page = readPage(args, VOLUNTEER_PAGE);
    const filter = parseInput(volunteerFilter, rawFilter ?? {}, 'filter');
    if (page.afterKey && !isBigintId(page.afterKey)) {
      // As ever, an unknown unit is reported before a bad cursor.
      if (filter.withinUnitId && !(await this.loaders.unitRefById.load(filter.withinUnitId))) throw unknownUnit(filter.withinUnitId);
      throw new BadUserInput('after', { key: 'input.cursor' });
    }
    const where: string[] = [];
    const params: unknown[] = [];
    const condition = scopeCondition(scope, 1);
    where.push(condition.sql);
    params.push(...condition.params);
    const param = (value: unknown) => `$${params.push(value)}`;
    // The unit's path is read in the same statement; an unknown unit matches nothing and is reported below.
    const within = filter.withinUnitId ? `(SELECT u.path FROM unit_ref u WHERE u.id = ${param(filter.withinUnitId)}::bigint)` : null;
    if (within) {
      // `path/` <= p < `path0` (`0` follows `/`): the subtree below the unit, as the LIKE 'path/%' the scope uses,
      // in a form the `text_pattern_ops` indexes serve although the path comes from the unit's row.
      where.push(`(v.home_station_path = ${within} OR (v.home_station_path ~>=~ (${within} || '/') AND v.home_station_path ~<~ (${within} || '0')))`);
    }
    if (filter.status) where.push(`v.status = ${param(filter.status)}`);
    if (filter.skills?.length) where.push(`v.skills @> ${param(filter.skills)}::text[]`);
    if (filter.teamId) where.push(`EXISTS (SELECT 1 FROM team_membership m WHERE m.volunteer_id = v.id AND m.team_id = ${param(filter.teamId)})`);
    const search = filter.search?.trim();
    if (search) {
      // Digits (staff only) are the end of a mobile number, matched on the reversed number's index; other text is
      // part of the real name. No one's name is made of digits.
      if (/^\d{1,11}$/.test(search) && this.actor.isStaff) {
        where.push(`EXISTS (SELECT 1 FROM person p WHERE p.id = v.person_id AND reverse(p.mobile) LIKE ${param(`${reverse(search)}%`)})`);
      } else {
        where.push(`EXISTS (SELECT 1 FROM person p WHERE p.id = v.person_id AND p.real_name ILIKE ${param(likePattern(search))})`);
      }
    }
    const filtered = where.join(' AND ');
    const countParams = [...params]; // the filter's, before the cursor and the limit
    const after = page.afterKey ? ` AND v.id > ${param(page.afterKey)}::bigint` : '';
    const personColumns = read.person ? aliasedColumnsOf(this.dataSource.manager, Person, PERSON_PREFIX) : [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT t.total, ${within ?? 'NULL::text'} AS within_path, c.*
              ${personColumns.map(({ column, alias }) => `, p."${column}" AS "${alias}"`).join('')}
              ${read.skills ? `, (SELECT json_object_agg(s.code, s.name) FROM skill s WHERE s.code = ANY (c.skills)) AS "${SKILLS_COLUMN}"` : ''}
         FROM (SELECT ${read.total ? `(SELECT count(*)::int FROM volunteer v WHERE ${filtered})` : 'NULL::int'} AS total) t
         LEFT JOIN LATERAL (SELECT v.* FROM volunteer v WHERE ${filtered}${after} ORDER BY v.id LIMIT ${param(page.limit + 1)}) c ON TRUE
         ${read.person ? 'LEFT JOIN person p ON p.id = c.person_id' : ''}
        ORDER BY c.id`,
      params,
    );
    const [head] = rows;
    if (within && head?.within_path == null) {
      throw unknownUnit(filter.withinUnitId!);
    }
    // Without a match the one row left is the outer one, with no volunteer.
    const found = rows.filter((row) => row.id != null);
    const volunteers = hydrate(this.dataSource.manager, Volunteer, found);
    volunteers.forEach((volunteer, index) => {
      const row = found[index]!;
      this.loaders.volunteerById.prime(volunteer.id, volunteer);
      if (read.person) {
        const personRow: Record<string, unknown> = {};
        for (const { column, alias } of personColumns) personRow[column] = row[alias];
        this.loaders.personById.prime(volunteer.personId, personRow.id == null ? null : hydrate(this.dataSource.manager, Person, [personRow])[0]!);
      }
      if (read.skills) {
        const names = (row[SKILLS_COLUMN] ?? {}) as Record<string, string>;
        for (const code of volunteer.skills) this.loaders.skillByCode.prime(code, code in names ? { code, name: names[code]! } : null);
      }
    });
    const total = head?.total;
    return toConnection(volunteers, page, VOLUNTEER_PAGE, (row) => row.id, async () => {
      if (typeof total === 'number') return total;
      const [count] = await this.dataSource.query(`SELECT count(*)::int AS n FROM volunteer v WHERE ${filtered}`, countParams);
      return count.n as number;
    });
  }

  /**
   * Volunteers whose home station is `stationId`, in id order: the unit's own list, for staff whose subtree holds the
   * unit (and those who read everywhere). Anyone else, and anyone but the latter for a unit not known here, is
   * FORBIDDEN rather than shown an empty list (docs/api.md, "Fields outside your scope").
   */
  async listByHomeStation(stationId: string, args: PageArgs): Promise<Connection<Volunteer>> {
    const scope = this.readScope();
    if (scope.kind !== 'all') {
      const unit = isBigintId(stationId) ? await this.loaders.unitRefById.load(stationId) : null;
      if (scope.kind === 'self' || !unit || !pathWithin(unit.path, scope.path)) throw new Forbidden();
    }
    const page = readPage(args, VOLUNTEER_PAGE);
    if (!isBigintId(stationId)) return toConnection<Volunteer>([], page, VOLUNTEER_PAGE, (row) => row.id, async () => 0);
    const rows = await this.loaders.volunteerPageByStation.load({ parentId: stationId, page, scope });
    return toConnection(rows, page, VOLUNTEER_PAGE, (row) => row.id, () => this.loaders.volunteerCountByStation.load({ parentId: stationId, scope }));
  }

  /** Members of team `teamId`, as far as the caller sees them, in id order. */
  async listByTeam(teamId: string, args: PageArgs): Promise<Connection<Volunteer>> {
    const scope = this.readScope();
    const page = readPage(args, VOLUNTEER_PAGE);
    if (!isBigintId(teamId)) return toConnection<Volunteer>([], page, VOLUNTEER_PAGE, (row) => row.id, async () => 0);
    const rows = await this.loaders.volunteerPageByTeam.load({ parentId: teamId, page, scope });
    return toConnection(rows, page, VOLUNTEER_PAGE, (row) => row.id, () => this.loaders.volunteerCountByTeam.load({ parentId: teamId, scope }));
  }

  /** The weekly windows the volunteer is usually free: for the volunteer and the staff who see them, not for parties. */
  availability(volunteer: Volunteer): Volunteer['availability'] {
    if (!this.canRead(volunteer)) throw new Forbidden();
    return volunteer.availability ?? [];
  }

  /** Where the volunteer lives (personal data): for the volunteer and the staff who see them, not for parties. */
  residenceArea(volunteer: Volunteer): string | null {
    if (!this.canRead(volunteer)) throw new Forbidden();
    return volunteer.residenceArea;
  }

  /** Whether the public leaderboards show the volunteer: for the volunteer and the staff who see them. */
  publicRanking(volunteer: Volunteer): boolean {
    if (!this.canRead(volunteer)) throw new Forbidden();
    return volunteer.publicRanking;
  }

  /** Why the volunteer was rejected or suspended: for the volunteer and the staff who see them. */
  statusReason(volunteer: Volunteer): string | null {
    if (!this.canRead(volunteer)) throw new Forbidden();
    return volunteer.statusReason;
  }

  /** The review history, oldest first: staff in scope of the home station only. */
  async reviews(volunteer: Volunteer): Promise<ReviewRow[]> {
    this.actor.requireScope(volunteer.homeStationPath ?? '', ...PROFILE_STAFF);
    return this.loaders.reviewsByVolunteer.load(volunteer.id);
  }

  /** Figures of the subtree of `unitId` for staff in scope (analysts included); service figures in [from, to). */
  async stats(unitId: string, from: Date | null | undefined, to: Date | null | undefined): Promise<VolunteerStatsRow & { verifiedHours: number }> {
    this.actor.requireRole(...STAFF_ROLES);
    if (from && to && to <= from) throw new BadUserInput('to', { key: 'input.invalid', detail: 'the end of the period must be after its start' });
    const unit = isBigintId(unitId) ? await this.loaders.unitRefById.load(unitId) : null;
    if (!unit) throw new NotFound('PracticeUnit', unitId, '单位');
    if (!this.actor.hasRole(...READ_EVERYWHERE)) this.actor.requireScope(unit.path, ...STAFF_ROLES);
    const figures = await this.loaders.volunteerStats.load({ unitPath: unit.path, from: from ?? null, to: to ?? null });
    return { ...figures, verifiedHours: hoursOf(figures.verifiedMinutes) };
  }

  /**
   * Registers a volunteer (PENDING): the signed-in resident themself, or, by staff of the home station's subtree, an
   * existing person (`personId`) or a new one without an account (`person`). A person already registered gets a
   * CONFLICT, unless their earlier registration was rejected: then the same row starts over.
   */
  async register(raw: unknown): Promise<Volunteer> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(registerVolunteerInput, raw);
    if (input.personId && input.person) {
      throw new BadUserInput('input.person', { key: 'input.invalid', detail: 'give personId or person, not both' });
    }
    const assisted = !!(input.personId || input.person);
    const identity = input.person ? resolveIdentity(input.person, 'input.person') : null;
    if (assisted) this.actor.requireRole(...REGISTRARS);
    else if (!this.actor.hasRole('RESIDENT', 'VOLUNTEER') || !isBigintId(claims.sub)) throw new Forbidden(); // a volunteer is a resident too
    const volunteer = await this.dataSource.transaction(async (manager) => {
      const station = await stationOf(manager, input.homeStationId, 'input.homeStationId');
      if (assisted) this.actor.requireScope(station.path, ...REGISTRARS);
      await assertSkillsExist(manager, input.skills, 'input.skills');
      if (input.serviceCategories) await assertCategoriesExist(manager, input.serviceCategories, 'input.serviceCategories');
      // The age rule (PIPL Art. 31; 办法 Art. 6) is checked before anyone is written: a refused minor leaves no trace.
      const age = identity?.birthDate
        ? ageOn(identity.birthDate, new Date())
        : input.person
          ? null
          : await ageOfPerson(manager, this.vault, input.personId ?? claims.sub);
      checkConsent(input.consent, age, assisted, 'input.consent');
      const personId = await this.registrant(manager, input, identity, station, claims);
      const [existing]: { id: string; status: Volunteer['status'] }[] = await manager.query(
        'SELECT id::text, status FROM volunteer WHERE person_id = $1 FOR UPDATE',
        [personId],
      );
      const conflictField = input.personId ? 'input.personId' : 'input';
      const values = [
        station.id,
        station.path,
        input.skills,
        JSON.stringify(input.availability ?? []),
        assisted ? claims.sub : 'self',
        input.residenceArea ?? null,
        input.serviceCategories ?? [],
      ];
      let id: string;
      if (existing) {
        if (existing.status !== 'REJECTED') throw new Conflict(conflictField, existing.status, 'volunteer.alreadyRegistered');
        const move = transitionFor(existing.status, 'register');
        await manager.query(
          `UPDATE volunteer SET status = $9, status_reason = NULL, home_station_id = $2, home_station_path = $3, skills = $4,
                  availability = $5, registered_by = $6, residence_area = $7, service_categories = $8, updated_at = now() WHERE id = $1`,
          [existing.id, ...values, move.to],
        );
        id = existing.id;
      } else {
        try {
          const [row] = await manager.query(
            `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, skills, availability, registered_by,
                                    residence_area, service_categories)
             VALUES ($1, 'PENDING', $2, $3, $4, $5, $6, $7, $8) RETURNING id::text`,
            [personId, ...values],
          );
          id = row.id;
        } catch (error) {
          // A concurrent registration of the same person committed first.
          if (isUniqueViolation(error, 'volunteer_person_id_key')) throw new Conflict(conflictField, 'PENDING', 'volunteer.alreadyRegistered');
          throw error;
        }
      }
      await manager.query(`INSERT INTO volunteer_review (volunteer_id, decision, decided_by) VALUES ($1, 'REGISTERED', $2)`, [id, claims.sub]);
      if (input.consent) {
        // The registration's consent, and the sealed document number's when the person has one.
        const [{ has_number: hasNumber }] = await manager.query('SELECT id_number_sealed IS NOT NULL AS has_number FROM person WHERE id = $1', [personId]);
        await insertConsents(manager, personId, hasNumber ? ['REGISTRATION', 'DOCUMENT_NUMBER'] : ['REGISTRATION'], input.consent, assisted, claims.sub);
      }
      await recordEvent(manager, {
        type: 'volunteer.registered',
        actor: actorOf(claims),
        unitPath: station.path,
        payload: { volunteerId: id, personId, stationId: station.id },
      });
      return manager.findOneByOrFail(Volunteer, { id });
    });
    return this.changed(volunteer);
  }

  /**
   * Approves, rejects, suspends or reinstates, as `VOLUNTEER_TRANSITIONS` allows. The row is locked first
   * (`FOR UPDATE`), so of two concurrent approvals one applies and the other finds the volunteer ACTIVE.
   */
  async review(action: Exclude<VolunteerAction, 'register' | 'close'>, raw: unknown): Promise<Volunteer> {
    const roles = rolesFor(action);
    const claims = this.actor.requireRole(...roles);
    const input = parseInput(reviewVolunteerInput, raw);
    if (needsReason(action) && !input.reason) throw new BadUserInput('input.reason', { key: 'input.required' });
    const volunteer = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockForChange(manager, input.volunteerId);
      this.actor.requireScope(current.homeStationPath ?? '', ...roles);
      const move = transitionFor(current.status, action);
      if (!current.homeStationId) {
        throw new BadUserInput('input.volunteerId', { key: 'input.invalid', detail: 'the volunteer has no home station yet' });
      }
      const reason = input.reason ?? null;
      await manager.query('UPDATE volunteer SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1', [
        current.id,
        move.to,
        move.reasonRequired ? reason : null,
      ]);
      if (move.volunteerRole === 'grant') {
        await manager.query(
          `UPDATE person SET roles = array_append(roles, 'VOLUNTEER'), updated_at = now()
            WHERE id = $1 AND NOT ('VOLUNTEER' = ANY (roles))`,
          [current.personId],
        );
      } else if (move.volunteerRole === 'revoke') {
        await manager.query(`UPDATE person SET roles = array_remove(roles, 'VOLUNTEER'), updated_at = now() WHERE id = $1`, [current.personId]);
      }
      await manager.query('INSERT INTO volunteer_review (volunteer_id, decision, reason, decided_by) VALUES ($1, $2, $3, $4)', [
        current.id,
        move.decision,
        reason,
        claims.sub,
      ]);
      await recordEvent(manager, {
        type: move.event,
        actor: actorOf(claims),
        unitPath: current.homeStationPath,
        payload: {
          volunteerId: current.id,
          personId: current.personId,
          stationId: current.homeStationId,
          ...(reason ? { reason } : {}),
        },
      });
      return manager.findOneByOrFail(Volunteer, { id: current.id });
    });
    this.loaders.personById.clear(volunteer.personId);
    return this.changed(volunteer);
  }

  /** Changes skills, availability or home station: the volunteer themself, or staff of the subtree. */
  async updateProfile(raw: unknown): Promise<Volunteer> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(updateVolunteerProfileInput, raw);
    const volunteer = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockTarget(manager, input.volunteerId, PROFILE_STAFF);
      const self = current.personId === claims.sub;
      const changes: string[] = [];
      const params: unknown[] = [current.id];
      const set = (column: string, value: unknown) => changes.push(`${column} = $${params.push(value)}`);
      if (input.homeStationId) {
        const station = await stationOf(manager, input.homeStationId, 'input.homeStationId');
        // Staff may not move a volunteer out of their own subtree.
        if (!self) this.actor.requireScope(station.path, ...PROFILE_STAFF);
        set('home_station_id', station.id);
        set('home_station_path', station.path);
      }
      if (input.skills) {
        await assertSkillsExist(manager, input.skills, 'input.skills');
        set('skills', input.skills);
      }
      if (input.availability) set('availability', JSON.stringify(input.availability));
      if (input.residenceArea) set('residence_area', input.residenceArea);
      if (input.serviceCategories) {
        await assertCategoriesExist(manager, input.serviceCategories, 'input.serviceCategories');
        set('service_categories', input.serviceCategories);
      }
      if (changes.length > 0) await manager.query(`UPDATE volunteer SET ${changes.join(', ')}, updated_at = now() WHERE id = $1`, params);
      return manager.findOneByOrFail(Volunteer, { id: current.id });
    });
    return this.changed(volunteer);
  }

  /**
   * The volunteer a mutation acts on, locked: `volunteerId` (the volunteer themself, or staff of `roles` in scope
   * of the home station), or, when omitted, the signed-in person's own profile.
   */
  async lockTarget(manager: EntityManager, volunteerId: string | null | undefined, roles: Role[]): Promise<Volunteer> {
    const claims = this.actor.requireAuthenticated();
    if (!volunteerId) {
      const rows = isBigintId(claims.sub) ? await manager.query('SELECT * FROM volunteer WHERE person_id = $1 FOR UPDATE', [claims.sub]) : [];
      const [own] = hydrate(manager, Volunteer, rows);
      // Not a volunteer: there is no profile of theirs to change.
      if (!own) throw new Forbidden();
      return own;
    }
    const volunteer = await this.lockForChange(manager, volunteerId);
    if (volunteer.personId !== claims.sub) this.actor.requireScope(volunteer.homeStationPath ?? '', ...roles);
    return volunteer;
  }

  /** The volunteer row, locked for this transaction; a missing one is NOT_FOUND only for callers who see everywhere. */
  private async lockForChange(manager: EntityManager, id: string): Promise<Volunteer> {
    const [volunteer] = hydrate(manager, Volunteer, await manager.query('SELECT * FROM volunteer WHERE id = $1 FOR UPDATE', [id]));
    if (volunteer) return volunteer;
    if (this.actor.hasRole('CENTER_ADMIN')) throw new NotFound('Volunteer', id, '志愿者');
    throw new Forbidden();
  }

  /** The person being registered: the caller, an existing person, or a new one opened here without a password. */
  private async registrant(
    manager: EntityManager,
    input: RegisterVolunteerInput,
    identity: ResolvedIdentity | null,
    station: UnitRef,
    claims: Claims,
  ): Promise<string> {
    if (input.person) {
      const person = await insertPerson(
        manager,
        this.vault,
        {
          realName: input.person.realName,
          mobile: input.person.mobile ?? null,
          ...identity!,
          passwordHash: null,
          roles: ['RESIDENT'],
          home: station,
          createdBy: claims.sub,
        },
        'input.person',
      );
      return person.id;
    }
    const personId = input.personId ?? claims.sub;
    // A closed account registers nobody (a token issued before closing lives out its TTL): the person is gone.
    const [row] = await manager.query('SELECT id::text, closed_at FROM person WHERE id = $1 FOR SHARE', [personId]);
    if (row?.closed_at && !input.personId) throw new Unauthenticated('accountClosed');
    if (row && !row.closed_at) return row.id;
    if (!input.personId) throw new Forbidden();
    throw new BadUserInput('input.personId', { key: 'input.unknownReference', entity: 'person', entityZh: '人员', id: personId });
  }

  /** After a commit: wake the outbox relay and make this request's later reads see the new row. */
  changed(volunteer: Volunteer): Volunteer {
    this.eventsWritten();
    this.loaders.volunteerById.clear(volunteer.id).prime(volunteer.id, volunteer);
    this.loaders.membershipsByVolunteer.clear(volunteer.id);
    this.loaders.reviewsByVolunteer.clear(volunteer.id);
    return volunteer;
  }
}

/** The station (or practice point) a volunteer serves at, from the unit replica; anything else is bad input. */
export async function stationOf(manager: EntityManager, id: string, field: string): Promise<UnitRef> {
  const unit = await findUnit(manager, id);
  if (!unit || (unit.level !== 'STATION' && unit.level !== 'POINT')) {
    throw new BadUserInput(field, { key: 'input.unknownReference', entity: 'station', entityZh: '实践站', id });
  }
  return unit;
}

export function actorOf(claims: Claims): EventActor {
  return { personId: claims.sub, roles: claims.roles };
}

/** Minutes as hours with one decimal. */
export function hoursOf(minutes: number): number {
  return Math.round(minutes / 6) / 10;
}

/** `%text%` with `%`, `_` and `\` escaped, so user text is matched literally by ILIKE. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function unknownUnit(id: string): BadUserInput {
  return new BadUserInput('filter.withinUnitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id });
}

/**
 * The database names of an entity's columns, as `hydrate` reads them, each with its alias `prefix + name`: made once,
 * so reading a row does not build (and internalise) the alias of each of its columns again.
 */
function aliasedColumnsOf(manager: EntityManager, target: typeof Person, prefix: string): AliasedColumn[] {
  const key = `${prefix}${manager.connection.getMetadata(target).tablePath}`;
  let columns = aliasedColumns.get(key);
  if (!columns) {
    columns = manager.connection.getMetadata(target).columns.map((column) => ({ column: column.databaseName, alias: `${prefix}${column.databaseName}` }));
    aliasedColumns.set(key, columns);
  }
  return columns;
}

interface AliasedColumn {
  column: string;
  alias: string;
}

const aliasedColumns = new Map<string, AliasedColumn[]>();

function reverse(text: string): string {
  return [...text].reverse().join('');
}
