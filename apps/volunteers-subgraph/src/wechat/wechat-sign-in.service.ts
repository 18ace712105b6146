import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { Actor, birthAndSexOf, maskMobile, PiiVault, Role } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { recordEvent } from '@kz/events';
import { BadUserInput, DomainError, Forbidden, NotFound, ServiceUnavailable } from '@kz/errors';
import { isBigintId, parseInput } from '@kz/subgraph';
import { toPlatformError, WeChatClient } from '@kz/wechat';
import type { VolunteersLoaders } from '../loaders';
import { findUnit } from '../units/unit-ref';
import { Person } from '../people/person.entity';
import type { LoginResult, PersonService } from '../people/person.service';
import { insertPerson } from '../people/person-writer';
import { actorOf } from '../volunteers/volunteer.service';
import type { WeChatTickets } from './wechat-tickets';
import { bindWeChatPhoneInput, completeWeChatSignUpInput, loginWithWeChatInput, unbindWeChatInput } from './wechat.input';

/** What WeChat sign-in needs from the process: the client (null when WECHAT_APP_ID is unset) and the ticket signer. */
export interface WeChatIdentity {
  client: WeChatClient | null;
  tickets: WeChatTickets;
}

export type WeChatSignInStep = 'SIGNED_IN' | 'BIND_PHONE' | 'COMPLETE_SIGN_UP';

export interface WeChatSignIn {
  step: WeChatSignInStep;
  session: LoginResult | null;
  ticket: string | null;
  ticketExpiresAt: Date | null;
}

/** Staff who may unbind the WeChat account of a person of their subtree (ROLES.md: they manage its people). */
const UNBINDING_STAFF: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN'];
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * Signing in from a WeChat mini-program: `wx.login`'s code → the person bound to the openid (signed in), or a binding
 * ticket; the ticket and a `getPhoneNumber` code → the person with that number (bound and signed in), or a sign-up
 * ticket; that ticket and a name → a new resident (bound and signed in). Unbinding by the person or staff in scope.
 * Every binding and unbinding is written to `wechat_binding_history`. WeChat's failures arrive as platform codes.
 */
export class WeChatSignInService {
  private readonly boundLoader: DataLoader<string, boolean>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly people: PersonService,
    private readonly vault: PiiVault,
    private readonly wechat: WeChatIdentity | undefined,
    /** Wakes the outbox relay after a commit that wrote events. */
    private readonly eventsWritten: () => void = () => {},
  ) {
    this.boundLoader = new DataLoader(async (ids) => {
      const rows: { person_id: string }[] = await this.dataSource.query('SELECT person_id::text FROM wechat_binding WHERE person_id = ANY($1::bigint[])', [ids]);
      const bound = new Set(rows.map((row) => row.person_id));
      return ids.map((id) => bound.has(id));
    });
  }

  async login(raw: unknown): Promise<WeChatSignIn> {
    const input = parseInput(loginWithWeChatInput, raw);
    const { client, tickets } = this.enabled();
    // The openid (and unionid) only: WeChat's session key stays inside the client and goes nowhere.
    const user = await client.code2Session(input.code).catch(rethrow);
    const person = await this.boundPerson(this.dataSource.manager, user.openid, user.unionid);
    if (person) return this.signedIn(person);
    const { ticket, expiresAt } = await tickets.issue({ kind: 'bind', openid: user.openid, unionid: user.unionid });
    return { step: 'BIND_PHONE', session: null, ticket, ticketExpiresAt: expiresAt };
  }

  async bindPhone(raw: unknown): Promise<WeChatSignIn> {
    const input = parseInput(bindWeChatPhoneInput, raw);
    const { client, tickets } = this.enabled();
    const claims = await tickets.verify(input.ticket, 'bind');
    const phone = await client.phoneNumber(input.phoneCode).catch(rethrow);
    if (phone.countryCode !== '86' || !MAINLAND_MOBILE.test(phone.purePhoneNumber)) {
      throw new BadUserInput('input.phoneCode', { key: 'input.invalid', detail: 'only mainland mobile numbers can sign in' });
    }
    const person = await this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOneBy(Person, { mobile: phone.purePhoneNumber });
      if (!owner) return null;
      await this.bind(manager, owner, claims.openid, claims.unionid, 'input.phoneCode', false);
      return owner;
    });
    if (person) {
      this.eventsWritten();
      return this.signedIn(person);
    }
    const { ticket, expiresAt } = await tickets.issue({ kind: 'signUp', openid: claims.openid, unionid: claims.unionid, mobile: phone.purePhoneNumber });
    return { step: 'COMPLETE_SIGN_UP', session: null, ticket, ticketExpiresAt: expiresAt };
  }

  async completeSignUp(raw: unknown): Promise<LoginResult> {
    const input = parseInput(completeWeChatSignUpInput, raw);
    const { tickets } = this.enabled();
    const claims = await tickets.verify(input.ticket, 'signUp');
    const person = await this.dataSource.transaction(async (manager) => {
      const home = await findUnit(manager, input.homeUnitId);
      if (!home || (home.level !== 'STATION' && home.level !== 'POINT')) {
        throw new BadUserInput('input.homeUnitId', { key: 'input.unknownReference', entity: 'station', entityZh: '实践站', id: input.homeUnitId });
      }
      const created = await insertPerson(manager, this.vault, {
        realName: input.realName,
        mobile: claims.mobile!,
        idNumber: input.idNumber ?? null,
        // A resident ID (the only document this sign-up takes) carries sex and birth date: read before sealing.
        ...(input.idNumber ? birthAndSexOf('RESIDENT_ID', input.idNumber) : {}),
        passwordHash: null,
        roles: ['RESIDENT'],
        home,
        createdBy: 'self',
      }).catch((error: unknown) => {
        // A used ticket meets its own number (the ticket is where the number came from): CONFLICT on input.ticket.
        if (error instanceof DomainError && error.code === 'CONFLICT' && error.params.field === 'input.mobile') {
          throw new DomainError('CONFLICT', 'conflict', { field: 'input.ticket', value: maskMobile(claims.mobile!) });
        }
        throw error;
      });
      await this.bind(manager, created, claims.openid, claims.unionid, 'input.ticket', true);
      return created;
    });
    this.eventsWritten();
    return this.people.issueToken(person);
  }

  /** The signed-in person's own binding, or (staff in scope) that of `personId`. Unbinding what is not bound is a no-op. */
  async unbind(raw: unknown): Promise<Person> {
    const claims = this.actor.requireAuthenticated();
    const input = parseInput(unbindWeChatInput, raw);
    const personId = input.personId ?? claims.sub;
    if (!isBigintId(personId)) throw new Forbidden(); // a worker (SERVICE) is not a person
    const person = await this.loaders.personById.load(personId);
    if (personId !== this.actor.personId) {
      const path = person?.homeUnitPath ?? person?.staffUnitPath;
      if (!path || !this.actor.inScope(path, UNBINDING_STAFF)) {
        if (!person && this.actor.hasRole('CENTER_ADMIN')) throw new NotFound('person', personId, '人员');
        throw new Forbidden();
      }
    }
    if (!person) throw new Forbidden();
    await this.dataSource.transaction(async (manager) => {
      const [rows] = await manager.query('DELETE FROM wechat_binding WHERE person_id = $1 RETURNING openid, unionid', [person.id]);
      const removed = (rows as { openid: string; unionid: string | null }[])[0];
      if (removed) {
        await manager.query(`INSERT INTO wechat_binding_history (person_id, openid, unionid, action, actor) VALUES ($1, $2, $3, 'UNBOUND', $4)`, [
          person.id,
          removed.openid,
          removed.unionid,
          claims.sub,
        ]);
        await recordEvent(manager, {
          type: 'person.wechat.unbound',
          actor: actorOf(claims),
          unitPath: person.homeUnitPath ?? person.staffUnitPath,
          payload: { personId: person.id, homeUnitId: person.homeUnitId, byStaff: personId !== this.actor.personId },
        });
      }
    });
    this.eventsWritten();
    this.boundLoader.clear(person.id);
    return person;
  }

  /** `Person.weChatBound`: for those who see the person in clear; null for everyone else. */
  async bound(person: Person): Promise<boolean | null> {
    if (this.people.view(person) !== 'clear') return null;
    return this.boundLoader.load(person.id);
  }

  private enabled(): { client: WeChatClient; tickets: WeChatTickets } {
    if (!this.wechat?.client) throw new ServiceUnavailable('wechat.notEnabled');
    return { client: this.wechat.client, tickets: this.wechat.tickets };
  }

  private async signedIn(person: Person): Promise<WeChatSignIn> {
    return { step: 'SIGNED_IN', session: await this.people.issueToken(person), ticket: null, ticketExpiresAt: null };
  }

  private async boundPerson(manager: EntityManager, openid: string, unionid: string | null): Promise<Person | null> {
    const [row] = await manager.query('SELECT person_id::text FROM wechat_binding WHERE openid = $1 OR ($2::text IS NOT NULL AND unionid = $2) LIMIT 1', [openid, unionid]);
    return row ? manager.findOneBy(Person, { id: row.person_id }) : null;
  }

  /**
   * Binds the openid to `person` in the caller's transaction, with a history row. Binding what is already bound to the
   * same person changes nothing; an openid bound to someone else, or a person bound to another WeChat account, is a
   * CONFLICT on `field` (the person must unbind first).
   */
  private async bind(manager: EntityManager, person: Person, openid: string, unionid: string | null, field: string, signedUp: boolean): Promise<void> {
    await manager.query('SELECT id FROM person WHERE id = $1 FOR UPDATE', [person.id]);
    const existing: { person_id: string; openid: string }[] = await manager.query(
      'SELECT person_id::text, openid FROM wechat_binding WHERE person_id = $1 OR openid = $2 OR ($3::text IS NOT NULL AND unionid = $3)',
      [person.id, openid, unionid],
    );
    if (existing.some((row) => row.person_id === person.id && row.openid === openid)) return;
    if (existing.length > 0) throw new DomainError('CONFLICT', 'wechat.alreadyBound', { field, value: maskMobile(person.mobile ?? '') });
    try {
      await manager.query('INSERT INTO wechat_binding (person_id, openid, unionid, bound_by) VALUES ($1, $2, $3, $4)', [person.id, openid, unionid, 'self']);
    } catch (error) {
      // A concurrent binding of the same WeChat account (two taps on "allow") won the race.
      if (isUniqueViolation(error)) throw new DomainError('CONFLICT', 'wechat.alreadyBound', { field, value: maskMobile(person.mobile ?? '') });
      throw error;
    }
    await manager.query(`INSERT INTO wechat_binding_history (person_id, openid, unionid, action, actor) VALUES ($1, $2, $3, 'BOUND', 'self')`, [person.id, openid, unionid]);
    // The request is anonymous (signing in): the actor is the person, proven by WeChat's code and phone number.
    await recordEvent(manager, {
      type: 'person.wechat.bound',
      actor: { personId: person.id, roles: person.roles },
      unitPath: person.homeUnitPath ?? person.staffUnitPath,
      payload: { personId: person.id, homeUnitId: person.homeUnitId, signedUp },
    });
  }
}

function rethrow(error: unknown): never {
  throw toPlatformError(error);
}
