import type { DataSource, EntityManager } from 'typeorm';
import { Actor, STAFF_ROLES, verifyPassword } from '@kz/auth';
import { recordEvent } from '@kz/events';
import { BadUserInput, DomainError, Forbidden, Unauthenticated } from '@kz/errors';
import { isBigintId, parseInput } from '@kz/subgraph';
import { promoteFromWaitlist } from '../activities/waitlist';
import type { VolunteersLoaders } from '../loaders';
import { Person } from '../people/person.entity';
import { transitionFor } from '../volunteers/volunteer-state-machine';
import type { VolunteerStatus } from '../volunteers/volunteer-statuses';
import { closeMyAccountInput } from './account-closure.input';

/** The name a closed account shows wherever its records are listed: a pseudonym, the same for everyone. */
export const CLOSED_ACCOUNT_NAME = '已注销用户';

export interface ClosedAccount {
  personId: string;
  volunteerId: string | null;
  closedAt: Date;
}

/**
 * Closing an account (PIPL Arts. 19, 47; docs/records.md, "Closing an account"): the person's login, contact and
 * identity data are removed, their volunteer profile is CLOSED for good, and what the records rules keep (service
 * records and their history, totals, consents) stays under the now pseudonymous ids. One transaction; the person row
 * is locked first, so of two closings at the same moment one closes and the other finds the account closed.
 */
export class AccountClosureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    /** Wakes the outbox relay after a commit that wrote events. */
    private readonly eventsWritten: () => void = () => {},
  ) {}

  async closeMine(raw: unknown): Promise<ClosedAccount> {
    const claims = this.actor.requireAuthenticated();
    if (!isBigintId(claims.sub)) throw new Forbidden(); // a worker (SERVICE) is not a person
    const input = parseInput(closeMyAccountInput, raw);
    if (input.confirm !== true) throw new BadUserInput('input.confirm', { key: 'account.confirm' });
    const person = await this.dataSource.getRepository(Person).findOneBy({ id: claims.sub });
    if (!person || person.closedAt) throw new Unauthenticated('accountClosed');
    assertNotStaff(person);
    if (person.passwordHash) {
      if (!input.password) throw new BadUserInput('input.password', { key: 'input.required' });
      if (!(await verifyPassword(input.password, person.passwordHash))) throw new BadUserInput('input.password', { key: 'input.invalid' });
    }
    const closed = await this.dataSource.transaction(async (manager) => {
      const [locked] = await manager.query('SELECT closed_at, roles FROM person WHERE id = $1 FOR UPDATE', [person.id]);
      if (!locked || locked.closed_at) throw new Unauthenticated('accountClosed');
      // A staff role granted since the read above counts too.
      assertNotStaff({ roles: locked.roles });
      const volunteerId = await this.closeVolunteer(manager, person.id);
      // WeChat: the binding and its history both hold the openid, which identifies the person: neither is kept.
      await manager.query('DELETE FROM wechat_binding WHERE person_id = $1', [person.id]);
      await manager.query('DELETE FROM wechat_binding_history WHERE person_id = $1', [person.id]);
      const [[row]] = await manager.query(
        `UPDATE person SET real_name = $2, mobile = NULL, password_hash = NULL, failed_logins = 0, locked_until = NULL,
                id_number_sealed = NULL, id_number_index = NULL, id_number_masked = NULL, document_type = NULL,
                gender = NULL, birth_date = NULL, roles = '{}', closed_at = now(), updated_at = now()
          WHERE id = $1 RETURNING closed_at`,
        [person.id, CLOSED_ACCOUNT_NAME],
      );
      const [volunteer] = volunteerId
        ? await manager.query('SELECT home_station_id::text AS station FROM volunteer WHERE id = $1', [volunteerId])
        : [];
      await recordEvent(manager, {
        type: 'person.account.closed',
        actor: { personId: person.id, roles: person.roles },
        unitPath: person.homeUnitPath ?? person.staffUnitPath,
        payload: { personId: person.id, homeUnitId: person.homeUnitId, volunteerId, stationId: volunteer?.station ?? null },
      });
      return { personId: person.id, volunteerId, closedAt: row.closed_at as Date };
    });
    this.eventsWritten();
    this.loaders.personById.clear(person.id);
    if (closed.volunteerId) this.loaders.volunteerById.clear(closed.volunteerId);
    return closed;
  }

  /**
   * The person's volunteer profile, if any, becomes CLOSED (the state machine's `close`): its own descriptions are
   * cleared, team memberships end, and sign-ups to open activities are cancelled (a freed place goes to the
   * waitlist). Totals and the review history stay. Returns the volunteer's id.
   */
  private async closeVolunteer(manager: EntityManager, personId: string): Promise<string | null> {
    const [volunteer]: { id: string; status: VolunteerStatus }[] = await manager.query(
      'SELECT id::text, status FROM volunteer WHERE person_id = $1 FOR UPDATE',
      [personId],
    );
    if (!volunteer) return null;
    const move = transitionFor(volunteer.status, 'close');
    await manager.query(
      `UPDATE volunteer SET status = $2, status_reason = NULL, residence_area = NULL, availability = '[]',
              skills = '{}', service_categories = '{}', updated_at = now()
        WHERE id = $1`,
      [volunteer.id, move.to],
    );
    await manager.query('INSERT INTO volunteer_review (volunteer_id, decision, decided_by) VALUES ($1, $2, $3)', [volunteer.id, move.decision, personId]);
    await manager.query('DELETE FROM team_membership WHERE volunteer_id = $1', [volunteer.id]);
    // Activities first, in id order, as every writer of an activity's counter locks it before its sign-ups.
    const activities: { id: string }[] = await manager.query(
      `SELECT a.id::text FROM activity a
        WHERE a.status = 'PUBLISHED'
          AND EXISTS (SELECT 1 FROM activity_signup s WHERE s.activity_id = a.id AND s.volunteer_id = $1 AND s.status IN ('SIGNED_UP', 'WAITLISTED'))
        ORDER BY a.id FOR NO KEY UPDATE`,
      [volunteer.id],
    );
    for (const activity of activities) {
      const [cancelled]: [{ was: string }[]] = await manager.query(
        `WITH old AS (
           SELECT id, status FROM activity_signup
            WHERE activity_id = $1 AND volunteer_id = $2 AND status IN ('SIGNED_UP', 'WAITLISTED') FOR UPDATE)
         UPDATE activity_signup s SET status = 'CANCELLED', updated_at = now() FROM old WHERE s.id = old.id
         RETURNING old.status AS was`,
        [activity.id, volunteer.id],
      );
      if (cancelled.some((row) => row.was === 'SIGNED_UP') && (await promoteFromWaitlist(manager, activity.id, 1)) === 0) {
        await manager.query('UPDATE activity SET signed_up = signed_up - 1, updated_at = now() WHERE id = $1', [activity.id]);
      }
    }
    return volunteer.id;
  }
}

/**
 * Staff accounts are closed by the center (it removes the staff roles first): their holder cannot close them. A
 * partner merchant's staff account (MERCHANT) is one too: it acts for a merchant, which the admins unbind first.
 */
function assertNotStaff(person: Pick<Person, 'roles'>): void {
  const staffRoles = person.roles.filter((role) => STAFF_ROLES.includes(role) || role === 'MERCHANT');
  if (staffRoles.length > 0) throw new DomainError('FORBIDDEN', 'account.staffCannotClose', { roles: staffRoles.join(', ') });
}
