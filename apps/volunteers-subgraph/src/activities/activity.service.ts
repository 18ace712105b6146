import type { DataSource, EntityManager } from 'typeorm';
import { Actor, Claims, maskName } from '@kz/auth';
import { hydrate } from '@kz/db';
import { BadUserInput, Forbidden, NotFound } from '@kz/errors';
import { EventActor, recordEvent } from '@kz/events';
import { Connection, isBigintId, PageArgs, parseInput, toConnection } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import { findUnit } from '../units/unit-ref';
import { ActivitySignUp } from './activity-signup.entity';
import { ACTIVITY_ADMINS, ACTIVITY_MACHINE, ActivityEvent, ActivityStatus, staffRolesFor, transition } from './activity-state-machine';
import { Activity } from './activity.entity';
import { ActivityNotEnded } from './activity.errors';
import { activityIdInput, cancelActivityInput, createActivityInput, updateActivityInput } from './activity.input';
import { CodeName, skillsOf } from './activity.loaders';
import { parseTimeKey, readTimePage, sortKeyOf, sortKeys, timeKeySql } from './time-cursor';
import { promoteFromWaitlist } from './waitlist';

export interface ActivityFilter {
  withinUnitId?: string | null;
  status?: ActivityStatus | null;
  category?: string | null;
  from?: Date | null;
  to?: Date | null;
  search?: string | null;
}

/** Escapes `%`, `_` and `\` so user text is matched literally by ILIKE. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function actorOf(claims: Claims): EventActor {
  return { personId: claims.sub, roles: claims.roles };
}

/**
 * Activities as staff run them: create, change, publish, cancel, complete, each by an admin whose subtree holds the
 * organizing unit and each move checked against `ACTIVITY_MACHINE`; and the reads everyone signed in may make
 * (drafts only for staff in scope).
 */
export class ActivityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly eventsWritten: () => void,
  ) {}

  /** Whether the caller runs activities of the unit at `path`. */
  isAdminOf(activity: Activity): boolean {
    return this.actor.inScope(activity.organizingUnitPath, ACTIVITY_ADMINS);
  }

  /** The 活动负责人's name when named: in clear for the staff who run the activity and the 负责人, masked (张*) for others. */
  responsibleName(activity: Activity): string | null {
    if (!activity.responsibleName) return null;
    if (this.isAdminOf(activity) || this.actor.personId === activity.responsiblePersonId) return activity.responsibleName;
    return maskName(activity.responsibleName);
  }

  /** Drafts are for the staff who run them; everything else for anyone signed in. */
  isVisible(activity: Activity): boolean {
    return activity.status !== 'DRAFT' || this.isAdminOf(activity);
  }

  async get(id: string): Promise<Activity | null> {
    this.actor.requireAuthenticated();
    if (!isBigintId(id)) return null;
    const activity = await this.loaders.activityById.load(id);
    return activity && this.isVisible(activity) ? activity : null;
  }

  /** Activities matching the filter, soonest first (then by id), with drafts only inside the caller's scope. */
  async list(filter: ActivityFilter | null | undefined, args: PageArgs): Promise<Connection<Activity>> {
    this.actor.requireAuthenticated();
    const page = readTimePage(args, 'activity');
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    const drafts = this.draftScope();
    if (drafts === null) where.push(`a.status <> 'DRAFT'`);
    else if (drafts !== 'all') {
      where.push(`(a.status <> 'DRAFT' OR a.organizing_unit_path = ${param(drafts)} OR a.organizing_unit_path LIKE ${param(`${drafts}/%`)})`);
    }
    if (filter?.withinUnitId) {
      const within = isBigintId(filter.withinUnitId) ? await findUnit(this.dataSource.manager, filter.withinUnitId) : null;
      const path = within?.path ?? '-';
      where.push(`(a.organizing_unit_path = ${param(path)} OR a.organizing_unit_path LIKE ${param(`${path}/%`)})`);
    }
    if (filter?.status) where.push(`a.status = ${param(filter.status)}`);
    if (filter?.category) where.push(`a.category = ${param(filter.category)}`);
    if (filter?.from) where.push(`a.starts_at >= ${param(filter.from)}`);
    if (filter?.to) where.push(`a.starts_at < ${param(filter.to)}`);
    if (filter?.search?.trim()) where.push(`a.title ILIKE ${param(likePattern(filter.search.trim()))}`);
    const countParams = [...params];
    const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';

    const [afterTime, afterId] = parseTimeKey(page.afterKey);
    if (afterTime) where.push(`(a.starts_at, a.id) > (${param(afterTime)}::timestamp AT TIME ZONE 'UTC', ${param(afterId)}::bigint)`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT a.*, ${timeKeySql('a.starts_at', 'a.id')} AS sort_key FROM activity a
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.starts_at, a.id LIMIT ${param(page.limit + 1)}`,
      params,
    );
    const activities = hydrate(this.dataSource.manager, Activity, rows);
    activities.forEach((activity, index) => {
      sortKeys.set(activity, String(rows[index]!.sort_key));
      this.loaders.activityById.prime(activity.id, activity);
    });
    return toConnection(activities, page, 'activity', sortKeyOf, async () => {
      const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM activity a ${countWhere}`, countParams);
      return n as number;
    });
  }

  /** Everyone who signed up, in sign-up order: staff in scope only. */
  async signUps(activity: Activity, args: PageArgs): Promise<Connection<ActivitySignUp>> {
    this.actor.requireAuthenticated();
    if (!this.isAdminOf(activity)) throw new Forbidden();
    const page = readTimePage(args, 'signup');
    const rows = await this.loaders.activitySignUpPage.load({ activityId: activity.id, page });
    return toConnection(rows, page, 'signup', sortKeyOf, () => this.loaders.activitySignUpCount.load(activity.id));
  }

  async category(activity: Activity): Promise<CodeName> {
    const category = await this.loaders.activityCategory.load(activity.category);
    return category ?? { code: activity.category, name: activity.category };
  }

  requiredSkills(activity: Activity): Promise<CodeName[]> {
    return skillsOf(this.loaders, activity.requiredSkills);
  }

  waitlistCount(activity: Activity): Promise<number> {
    return this.loaders.activityWaitlistCount.load(activity.id);
  }

  /** A draft for a unit of the caller's subtree. */
  async create(raw: unknown): Promise<Activity> {
    const claims = this.actor.requireRole(...ACTIVITY_ADMINS);
    const input = parseInput(createActivityInput, raw);
    assertEndsAfterStart(input.startsAt, input.endsAt, 'input.endsAt');
    return this.dataSource.transaction(async (manager) => {
      const unit = await findUnit(manager, input.organizingUnitId);
      if (!unit) {
        throw new BadUserInput('input.organizingUnitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: input.organizingUnitId });
      }
      this.actor.requireScope(unit.path, ...ACTIVITY_ADMINS);
      await assertCategory(manager, input.category);
      const skills = await assertSkills(manager, input.requiredSkills ?? []);
      if (input.teamId) await assertTeam(manager, input.teamId);
      const responsible = input.responsiblePersonId
        ? await responsiblePerson(manager, input.responsiblePersonId, 'input.responsiblePersonId')
        : await responsiblePerson(manager, claims.sub, null);
      const [row] = await manager.query(
        `INSERT INTO activity (title, description, category, organizing_unit_id, organizing_unit_path, team_id, starts_at, ends_at,
                               place_name, lat, lng, check_in_radius_m, capacity, required_skills, created_by,
                               responsible_person_id, responsible_name, staff_duty)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING *`,
        [
          input.title,
          input.description ?? null,
          input.category,
          unit.id,
          unit.path,
          input.teamId ?? null,
          input.startsAt,
          input.endsAt,
          input.place.name,
          input.place.location.lat,
          input.place.location.lng,
          input.place.checkInRadiusMeters,
          input.capacity,
          skills,
          claims.sub,
          responsible?.id ?? null,
          responsible?.name ?? null,
          input.staffDuty ?? false,
        ],
      );
      return hydrate(manager, Activity, [row])[0]!;
    });
  }

  /**
   * Changes a draft or published activity. The capacity never drops below the places taken; raising it gives the
   * new places to the waitlist at once.
   */
  async update(raw: unknown): Promise<Activity> {
    this.actor.requireRole(...ACTIVITY_ADMINS);
    const input = parseInput(updateActivityInput, raw);
    const activity = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockForMove(manager, input.id, 'update');
      const startsAt = input.startsAt ?? current.startsAt;
      const endsAt = input.endsAt ?? current.endsAt;
      assertEndsAfterStart(startsAt, endsAt, input.endsAt ? 'input.endsAt' : 'input.startsAt');
      if (input.capacity !== undefined && input.capacity < current.signedUp) {
        throw new BadUserInput('input.capacity', { key: 'activity.capacityBelowTaken', taken: current.signedUp });
      }
      const changes: Partial<Activity> = { startsAt, endsAt, updatedAt: new Date() };
      if (input.title !== undefined) changes.title = input.title;
      if (input.description !== undefined) changes.description = input.description;
      if (input.place) {
        changes.placeName = input.place.name;
        changes.lat = input.place.location.lat;
        changes.lng = input.place.location.lng;
        changes.checkInRadiusMeters = input.place.checkInRadiusMeters;
      }
      if (input.requiredSkills) changes.requiredSkills = await assertSkills(manager, input.requiredSkills, 'input.requiredSkills');
      if (input.capacity !== undefined) changes.capacity = input.capacity;
      // From now on: records already made by check-outs stay, for staff to verify or reject (docs/records.md).
      if (input.staffDuty !== undefined) changes.staffDuty = input.staffDuty;
      if (input.responsiblePersonId) {
        const responsible = (await responsiblePerson(manager, input.responsiblePersonId, 'input.responsiblePersonId'))!;
        changes.responsiblePersonId = responsible.id;
        changes.responsibleName = responsible.name;
      }
      await manager.update(Activity, { id: current.id }, changes);
      if (current.status === 'PUBLISHED' && input.capacity !== undefined && input.capacity > current.signedUp) {
        const promoted = await promoteFromWaitlist(manager, current.id, input.capacity - current.signedUp);
        if (promoted > 0) await manager.query('UPDATE activity SET signed_up = signed_up + $2 WHERE id = $1', [current.id, promoted]);
      }
      return manager.findOneByOrFail(Activity, { id: current.id });
    });
    return this.fresh(activity);
  }

  /** Opens a draft for sign-up and tells the notifications service. */
  async publish(raw: unknown): Promise<Activity> {
    const claims = this.actor.requireRole(...ACTIVITY_ADMINS);
    const input = parseInput(activityIdInput, raw);
    const activity = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockForMove(manager, input.activityId, 'publish');
      await manager.update(Activity, { id: current.id }, { status: 'PUBLISHED', updatedAt: new Date() });
      await this.recordActivityEvent(manager, 'activity.published', claims, current);
      return manager.findOneByOrFail(Activity, { id: current.id });
    });
    this.eventsWritten();
    return this.fresh(activity);
  }

  /** Calls an activity off, with a reason; sign-ups stay as they were, for the record. */
  async cancel(raw: unknown): Promise<Activity> {
    const claims = this.actor.requireRole(...ACTIVITY_ADMINS);
    const input = parseInput(cancelActivityInput, raw);
    const activity = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockForMove(manager, input.activityId, 'cancel');
      await manager.update(Activity, { id: current.id }, { status: 'CANCELLED', cancelReason: input.reason, updatedAt: new Date() });
      await this.recordActivityEvent(manager, 'activity.cancelled', claims, current);
      return manager.findOneByOrFail(Activity, { id: current.id });
    });
    this.eventsWritten();
    return this.fresh(activity);
  }

  /** Closes an activity that has ended: volunteers who held a place and never checked in become no-shows. */
  async complete(raw: unknown): Promise<Activity> {
    this.actor.requireRole(...ACTIVITY_ADMINS);
    const input = parseInput(activityIdInput, raw);
    const activity = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockForMove(manager, input.activityId, 'complete');
      if (Date.now() < current.endsAt.getTime()) throw new ActivityNotEnded(current.endsAt);
      await manager.update(Activity, { id: current.id }, { status: 'DONE', updatedAt: new Date() });
      await manager.query(
        `UPDATE activity_signup SET status = 'NO_SHOW', updated_at = now() WHERE activity_id = $1 AND status = 'SIGNED_UP'`,
        [current.id],
      );
      return manager.findOneByOrFail(Activity, { id: current.id });
    });
    return this.fresh(activity);
  }

  /**
   * Locks the activity a staff move is about, then checks, in this order, that it exists, that the caller runs
   * activities of its unit, and that `ACTIVITY_MACHINE` allows the move from its current state.
   */
  private async lockForMove(manager: EntityManager, id: string, event: ActivityEvent): Promise<Activity> {
    const [row] = await manager.query('SELECT * FROM activity WHERE id = $1 FOR NO KEY UPDATE', [id]);
    if (!row) throw new NotFound('Activity', id, '活动');
    const activity = hydrate(manager, Activity, [row])[0]!;
    const move = ACTIVITY_MACHINE.transitions.find((candidate) => candidate.event === event)!;
    this.actor.requireScope(activity.organizingUnitPath, ...staffRolesFor(move));
    transition(ACTIVITY_MACHINE, activity.status, event);
    return activity;
  }

  private async recordActivityEvent(
    manager: EntityManager,
    type: 'activity.published' | 'activity.cancelled',
    claims: Claims,
    activity: Activity,
  ): Promise<void> {
    await recordEvent(manager, {
      type,
      actor: actorOf(claims),
      unitPath: activity.organizingUnitPath,
      payload: { activityId: activity.id, unitId: activity.organizingUnitId, startsAt: activity.startsAt.toISOString() },
    });
  }

  /** Later reads in this request see the activity as the mutation left it. */
  private fresh(activity: Activity): Activity {
    this.loaders.activityById.clear(activity.id).prime(activity.id, activity);
    return activity;
  }

  /** Which drafts the caller may see: all (center admin), those below one path (other admins), or none. */
  private draftScope(): 'all' | string | null {
    if (this.actor.hasRole('CENTER_ADMIN')) return 'all';
    const path = this.actor.claims?.unitPath;
    return path && this.actor.hasRole(...ACTIVITY_ADMINS) ? path : null;
  }
}

function assertEndsAfterStart(startsAt: Date, endsAt: Date, field: string): void {
  if (endsAt.getTime() <= startsAt.getTime()) throw new BadUserInput(field, { key: 'activity.endsBeforeStart' });
}

async function assertCategory(manager: EntityManager, code: string): Promise<void> {
  const [found] = await manager.query('SELECT 1 FROM activity_category WHERE code = $1', [code]);
  if (!found) throw new BadUserInput('input.category', { key: 'input.unknownReference', entity: 'activity category', entityZh: '活动类别', id: code });
}

/** The skill codes, deduplicated, each of the taxonomy; the first unknown one is named. */
async function assertSkills(manager: EntityManager, codes: string[], field = 'input.requiredSkills'): Promise<string[]> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return [];
  const rows: { code: string }[] = await manager.query('SELECT code FROM skill WHERE code = ANY($1::text[])', [unique]);
  const known = new Set(rows.map((row) => row.code));
  const index = unique.findIndex((code) => !known.has(code));
  if (index >= 0) {
    const unknown = unique[index]!;
    throw new BadUserInput(`${field}.${codes.indexOf(unknown)}`, { key: 'input.unknownReference', entity: 'skill', entityZh: '技能', id: unknown });
  }
  return unique;
}

/** Teams are known here through the replica of org's teams (`team_ref`). */
async function assertTeam(manager: EntityManager, teamId: string): Promise<void> {
  const [found] = await manager.query('SELECT 1 FROM team_ref WHERE id = $1', [teamId]);
  if (!found) throw new BadUserInput('input.teamId', { key: 'input.unknownReference', entity: 'team', entityZh: '队伍', id: teamId });
}

/**
 * The 活动负责人 (办法 Art. 7) by person id, with their name now: the snapshot activities and records keep. An id
 * given in `field` that is no person is BAD_USER_INPUT naming it; without a field (the caller by default), an id that
 * is no person names nobody.
 */
export async function responsiblePerson(manager: EntityManager, personId: string, field: string | null): Promise<{ id: string; name: string } | null> {
  const [row] = isBigintId(personId) ? await manager.query('SELECT id::text, real_name FROM person WHERE id = $1', [personId]) : [];
  if (row) return { id: row.id, name: row.real_name };
  if (field) throw new BadUserInput(field, { key: 'input.unknownReference', entity: 'person', entityZh: '人员', id: personId });
  return null;
}
