import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '@kz/auth';
import { hydrate } from '@kz/db';
import { BadUserInput, NotFound } from '@kz/errors';
import { Connection, isBigintId, PageArgs, parseInput, toConnection } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import { recordCheckOut } from '../records/record-writer';
import { ActivitySignUp } from './activity-signup.entity';
import { ACTIVITY_ADMINS, ACTIVITY_MACHINE, invalidTransition, SIGN_UP_MACHINE, transition } from './activity-state-machine';
import { Activity } from './activity.entity';
import { ActiveVolunteersOnly, alreadySignedUp, OutsideAttendanceWindow, SignUpClosed, SkillsMissing, tooFar } from './activity.errors';
import { activityIdInput, checkInOutInput } from './activity.input';
import { skillsOf } from './activity.loaders';
import { checkInWindow, checkOutWindow, distanceMeters, isWithin } from './attendance';
import { parseTimeKey, readTimePage, sortKeyOf, sortKeys, timeKeySql } from './time-cursor';
import { promoteFromWaitlist } from './waitlist';

/** The signed-in person's volunteer profile, as far as sign-up needs it. */
interface MyVolunteer {
  id: string;
  status: string;
  skills: string[];
}

/**
 * What a volunteer does with activities: sign up (a place while there is one, else the waitlist), cancel (the
 * place goes to the first waiting), check in and out on site (inside the time window and the radius). Always the
 * signed-in person's own volunteer profile, found from the token.
 */
export class ActivitySignUpService {
  private volunteer?: Promise<MyVolunteer | null>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
  ) {}

  /** The signed-in volunteer's sign-ups, latest first. */
  async mine(args: PageArgs): Promise<Connection<ActivitySignUp>> {
    this.actor.requireAuthenticated();
    const page = readTimePage(args, 'mysignup');
    const volunteer = await this.myVolunteer();
    if (!volunteer) return toConnection<ActivitySignUp>([], page, 'mysignup', sortKeyOf, async () => 0);
    const [afterTime, afterId] = parseTimeKey(page.afterKey);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT s.*, ${timeKeySql('s.signed_up_at', 's.id')} AS sort_key FROM activity_signup s
        WHERE s.volunteer_id = $1
          AND ($2::timestamp IS NULL OR (s.signed_up_at, s.id) < ($2::timestamp AT TIME ZONE 'UTC', $3::bigint))
        ORDER BY s.signed_up_at DESC, s.id DESC LIMIT $4`,
      [volunteer.id, afterTime, afterId, page.limit + 1],
    );
    const signUps = hydrate(this.dataSource.manager, ActivitySignUp, rows);
    signUps.forEach((signUp, index) => sortKeys.set(signUp, String(rows[index]!.sort_key)));
    return toConnection(signUps, page, 'mysignup', sortKeyOf, async () => {
      const [{ n }] = await this.dataSource.query('SELECT count(*)::int AS n FROM activity_signup WHERE volunteer_id = $1', [volunteer.id]);
      return n as number;
    });
  }

  /** The caller's sign-up for `activity`, if they are a volunteer and have one. */
  async mySignUp(activity: Activity): Promise<ActivitySignUp | null> {
    const volunteer = await this.myVolunteer();
    return volunteer ? this.loaders.activitySignUpOf.load({ volunteerId: volunteer.id, activityId: activity.id }) : null;
  }

  async waitlistPosition(signUp: ActivitySignUp): Promise<number | null> {
    return signUp.status === 'WAITLISTED' ? this.loaders.activityWaitlistPosition.load(signUp.id) : null;
  }

  /**
   * Signs the caller up. The place is taken by one conditional UPDATE of the activity's counter, so however many
   * volunteers sign up at once, no more than `capacity` get a place; the others are waitlisted (not an error).
   */
  async signUp(raw: unknown): Promise<ActivitySignUp> {
    this.actor.requireAuthenticated();
    const input = parseInput(activityIdInput, raw);
    const volunteer = await this.myVolunteer();
    if (volunteer?.status !== 'ACTIVE') throw new ActiveVolunteersOnly(volunteer?.status ?? 'NONE');
    return this.dataSource.transaction(async (manager) => {
      const activity = await this.findVisible(manager, input.activityId);
      transition(ACTIVITY_MACHINE, activity.status, 'signUp');
      if (Date.now() >= activity.endsAt.getTime()) throw new SignUpClosed(activity.endsAt);
      await this.assertSkills(activity, volunteer);
      const [existing] = await manager.query('SELECT status FROM activity_signup WHERE activity_id = $1 AND volunteer_id = $2', [
        activity.id,
        volunteer.id,
      ]);
      if (existing && existing.status !== 'CANCELLED') throw alreadySignedUp(activity.id);

      const [took] = await manager.query(
        `UPDATE activity SET signed_up = signed_up + 1, updated_at = now()
          WHERE id = $1 AND signed_up < capacity AND status = 'PUBLISHED' RETURNING id`,
        [activity.id],
      );
      let placed = (took as unknown[]).length > 0;
      if (!placed) {
        // Full, or cancelled meanwhile. From here the row is held until commit: a cancellation that frees a place
        // waits for this transaction and then promotes this sign-up, and a place freed just before is seen and taken.
        const [current] = await manager.query('SELECT status, signed_up, capacity FROM activity WHERE id = $1 FOR NO KEY UPDATE', [activity.id]);
        if (current.status !== 'PUBLISHED') throw invalidTransition(ACTIVITY_MACHINE, current.status, 'signUp');
        if (current.signed_up < current.capacity) {
          await manager.query('UPDATE activity SET signed_up = signed_up + 1, updated_at = now() WHERE id = $1', [activity.id]);
          placed = true;
        }
      }
      const status = placed ? 'SIGNED_UP' : 'WAITLISTED';
      // A cancelled sign-up is reused (the pair is unique); any other existing one means a double sign-up.
      const rows = await manager.query(
        `INSERT INTO activity_signup (activity_id, volunteer_id, status, signed_up_at) VALUES ($1, $2, $3, clock_timestamp())
         ON CONFLICT (activity_id, volunteer_id) DO UPDATE SET
           status = EXCLUDED.status, signed_up_at = EXCLUDED.signed_up_at, checked_in_at = NULL, check_in_distance_m = NULL,
           checked_out_at = NULL, check_out_distance_m = NULL, updated_at = now()
         WHERE activity_signup.status = 'CANCELLED'
         RETURNING *`,
        [activity.id, volunteer.id, status],
      );
      if (rows.length === 0) throw alreadySignedUp(activity.id);
      return hydrate(manager, ActivitySignUp, rows)[0]!;
    });
  }

  /** Cancels the caller's sign-up; a place it held goes to the first on the waitlist, in the same transaction. */
  async cancel(raw: unknown): Promise<ActivitySignUp> {
    this.actor.requireAuthenticated();
    const input = parseInput(activityIdInput, raw);
    const volunteer = await this.myVolunteer();
    if (!volunteer) throw new ActiveVolunteersOnly('NONE'); // not a volunteer: FORBIDDEN, as for signing up
    return this.dataSource.transaction(async (manager) => {
      // The activity first, as every writer of its counter locks it: no deadlock with a concurrent sign-up.
      const activity = await this.findVisible(manager, input.activityId, 'FOR NO KEY UPDATE');
      const signUp = await this.lockMySignUp(manager, activity, volunteer);
      transition(ACTIVITY_MACHINE, activity.status, 'cancelSignUp');
      transition(SIGN_UP_MACHINE, signUp.status, 'cancel');
      const [rows] = await manager.query(
        `UPDATE activity_signup SET status = 'CANCELLED', updated_at = now() WHERE id = $1 RETURNING *`,
        [signUp.id],
      );
      if (signUp.status === 'SIGNED_UP' && (await promoteFromWaitlist(manager, activity.id, 1)) === 0) {
        await manager.query('UPDATE activity SET signed_up = signed_up - 1, updated_at = now() WHERE id = $1', [activity.id]);
      }
      return hydrate(manager, ActivitySignUp, rows)[0]!;
    });
  }

  /** Checks in on site: the caller's place, from half an hour before the start to the end, within the radius. */
  async checkIn(raw: unknown): Promise<ActivitySignUp> {
    return this.attend(raw, 'checkIn', async ({ manager, signUp, now, distance }) => {
      const [rows] = await manager.query(
        `UPDATE activity_signup SET status = 'CHECKED_IN', checked_in_at = $2, check_in_distance_m = $3, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [signUp.id, now, distance],
      );
      return hydrate(manager, ActivitySignUp, rows)[0]!;
    });
  }

  /**
   * Checks out on site, until two hours after the end, within the radius; the pending service record is made in the
   * same transaction, so there is a record if and only if the check-out happened.
   */
  async checkOut(raw: unknown): Promise<ActivitySignUp> {
    return this.attend(raw, 'checkOut', async ({ manager, activity, signUp, volunteer, now, distance, by }) => {
      const [rows] = await manager.query(
        `UPDATE activity_signup SET status = 'CHECKED_OUT', checked_out_at = $2, check_out_distance_m = $3, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [signUp.id, now, distance],
      );
      // 条例 Art. 19: a staff-duty activity's attendance is kept, but it is not volunteer service: no record.
      if (!activity.staffDuty) await recordCheckOut(manager, {
        volunteerId: volunteer.id,
        activity: {
          id: activity.id,
          title: activity.title,
          category: activity.category,
          organizingUnitId: activity.organizingUnitId,
          organizingUnitPath: activity.organizingUnitPath,
          startsAt: activity.startsAt,
          endsAt: activity.endsAt,
          placeName: activity.placeName,
          description: activity.description,
          responsiblePersonId: activity.responsiblePersonId,
          responsibleName: activity.responsibleName,
        },
        checkedInAt: signUp.checkedInAt!,
        checkedOutAt: now,
        by,
      });
      return hydrate(manager, ActivitySignUp, rows)[0]!;
    });
  }

  /**
   * What checking in and out share: the caller must be a volunteer (FORBIDDEN otherwise, as for signing up); in one
   * transaction their sign-up is locked, both state machines allow the move, it is within the move's time window and
   * the caller is near enough; then `record` writes the move.
   */
  private async attend<T>(
    raw: unknown,
    move: 'checkIn' | 'checkOut',
    record: (attendance: {
      manager: EntityManager;
      activity: Activity;
      signUp: ActivitySignUp;
      volunteer: MyVolunteer;
      now: Date;
      distance: number;
      by: string;
    }) => Promise<T>,
  ): Promise<T> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(checkInOutInput, raw);
    const volunteer = await this.myVolunteer();
    if (!volunteer) throw new ActiveVolunteersOnly('NONE');
    return this.dataSource.transaction(async (manager) => {
      const activity = await this.findVisible(manager, input.activityId);
      const signUp = await this.lockMySignUp(manager, activity, volunteer);
      transition(ACTIVITY_MACHINE, activity.status, move);
      transition(SIGN_UP_MACHINE, signUp.status, move);
      const now = new Date();
      const window = move === 'checkIn' ? checkInWindow(activity) : checkOutWindow(activity);
      if (!isWithin(window, now)) throw new OutsideAttendanceWindow(move, signUp.status, window);
      const distance = this.assertNear(activity, input.location, move);
      return record({ manager, activity, signUp, volunteer, now, distance, by: claims.sub });
    });
  }

  /** The caller's volunteer profile, looked up once per request from the person id in the token. */
  private myVolunteer(): Promise<MyVolunteer | null> {
    this.volunteer ??= (async () => {
      const personId = this.actor.personId;
      if (!personId || !isBigintId(personId)) return null;
      const [row] = await this.dataSource.query('SELECT id::text, status, skills FROM volunteer WHERE person_id = $1', [personId]);
      return (row as MyVolunteer | undefined) ?? null;
    })();
    return this.volunteer;
  }

  /** The activity, unless it does not exist or is a draft the caller may not see (the same answer for both). */
  private async findVisible(manager: EntityManager, id: string, lock?: 'FOR NO KEY UPDATE'): Promise<Activity> {
    const [row] = await manager.query(`SELECT * FROM activity WHERE id = $1 ${lock ?? ''}`, [id]);
    const activity = row ? hydrate(manager, Activity, [row])[0]! : null;
    if (!activity || (activity.status === 'DRAFT' && !this.actor.inScope(activity.organizingUnitPath, ACTIVITY_ADMINS))) {
      throw new NotFound('Activity', id, '活动');
    }
    return activity;
  }

  private async lockMySignUp(manager: EntityManager, activity: Activity, volunteer: MyVolunteer | null): Promise<ActivitySignUp> {
    const [row] = volunteer
      ? await manager.query('SELECT * FROM activity_signup WHERE activity_id = $1 AND volunteer_id = $2 FOR UPDATE', [activity.id, volunteer.id])
      : [];
    if (!row) throw new BadUserInput('input.activityId', { key: 'activity.notSignedUp' });
    return hydrate(manager, ActivitySignUp, [row])[0]!;
  }

  private async assertSkills(activity: Activity, volunteer: MyVolunteer): Promise<void> {
    const missing = activity.requiredSkills.filter((code) => !volunteer.skills.includes(code));
    if (missing.length === 0) return;
    throw new SkillsMissing(await skillsOf(this.loaders, missing));
  }

  /** The distance from the place in whole metres, or BAD_USER_INPUT on `input.location` beyond the radius. */
  private assertNear(activity: Activity, location: { lat: number; lng: number }, event: 'checkIn' | 'checkOut'): number {
    const distance = Math.round(distanceMeters(location, activity));
    if (distance > activity.checkInRadiusMeters) throw tooFar(event, distance, activity.checkInRadiusMeters);
    return distance;
  }
}
