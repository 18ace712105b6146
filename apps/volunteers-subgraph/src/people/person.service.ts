import type { DataSource, EntityManager } from 'typeorm';
import {
  Actor,
  decoyHash,
  hashPassword,
  maskMobile,
  maskName,
  PiiVault,
  Role,
  signToken,
  verifyPassword,
} from '@kz/auth';
import type { Config } from '@kz/config';
import { BadUserInput, Forbidden, Unauthenticated } from '@kz/errors';
import { isBigintId, parseInput } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import type { WeChatIdentity } from '../wechat/wechat-sign-in.service';
import { findUnit, UnitRef } from '../units/unit-ref';
import { Person } from './person.entity';
import { insertPerson, NewPerson } from './person-writer';
import { changePasswordInput, createStaffAccountInput, loginInput, resolveIdentity, signUpInput } from './person.input';

/** What identity needs from the environment, built once per process. */
export interface Identity {
  config: Pick<
    Config,
    'JWT_SECRET' | 'JWT_PRIVATE_KEY' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_TTL_SECONDS' | 'LOGIN_MAX_FAILURES' | 'LOGIN_LOCK_SECONDS' | 'PASSWORD_HASH_COST'
  >;
  vault: PiiVault;
  /** Sign-in with WeChat; undefined in tests that build identity without it. */
  wechat?: WeChatIdentity;
}

/** Roles that see people of their subtree in clear (the center admin everywhere). */
const SCOPED_STAFF: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN', 'GRID_WORKER'];
/** Roles that see the masked forms of the people of their subtree (ROLES.md: "no personal data beyond masked forms"). */
const MASKED_STAFF: Role[] = ['ANALYST'];
/** Roles that see every person, the dispatcher masked: it reads every order, and so every requester. */
const READ_EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER'];

/**
 * How much of a person the caller sees (docs/api.md, "Who may read a person"):
 * - `clear`: the person themself, and staff whose subtree holds the person's home (or staff) unit;
 * - `masked`: analysts of that subtree and the dispatcher: masked name, mobile and ID number;
 * - `party`: anyone else who reached the person through a record they share (an order, a redemption, a transaction,
 *   an activity's sign-ups): the masked name and mobile, which is what serving or being served needs, and no ID
 *   number. `person(id:)` refuses them: a party sees the person through the shared record, never by id.
 */
export type PersonView = 'clear' | 'masked' | 'party';

/**
 * Which staff roles an admin may grant, and at which level of unit each role sits. An admin grants roles below
 * (or equal to) their own and only inside their subtree; the center's roles only the center admin grants.
 */
const GRANTS: Record<string, Role[]> = {
  CENTER_ADMIN: ['CENTER_ADMIN', 'DISPATCHER', 'ANALYST', 'INSTITUTE_ADMIN', 'STATION_ADMIN', 'GRID_WORKER', 'MERCHANT'],
  INSTITUTE_ADMIN: ['INSTITUTE_ADMIN', 'STATION_ADMIN', 'GRID_WORKER', 'ANALYST', 'MERCHANT'],
  STATION_ADMIN: ['GRID_WORKER', 'MERCHANT'],
};
const ROLE_LEVEL: Partial<Record<Role, UnitRef['level'][]>> = {
  CENTER_ADMIN: ['CENTER'],
  DISPATCHER: ['CENTER'],
  INSTITUTE_ADMIN: ['INSTITUTE'],
  STATION_ADMIN: ['STATION'],
  GRID_WORKER: ['STATION'],
  ANALYST: ['CENTER', 'INSTITUTE', 'STATION'],
  // A partner merchant's staff sit at the unit of their merchant; which merchant is bound in the points subgraph
  // (addMerchantStaff).
  MERCHANT: ['CENTER', 'INSTITUTE', 'STATION'],
};

export interface LoginResult {
  token: string;
  expiresAt: Date;
  person: Person;
}

/** People and identity: sign-up, login with lockout, passwords, staff accounts, and who may see what of whom. */
export class PersonService {
  /** People who signed in (or up) within this request: the answer to login shows them their own data. */
  private readonly signedIn = new WeakSet<Person>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly identity: Identity,
  ) {}

  /**
   * `person(id:)`: the person for those who see them in clear or masked; FORBIDDEN for anyone else, and for a missing
   * id to anyone who does not see everywhere, so the answer never tells whether someone exists outside one's scope.
   */
  async get(id: string): Promise<Person | null> {
    this.actor.requireAuthenticated();
    const person = isBigintId(id) ? await this.loaders.personById.load(id) : null;
    if (!person) {
      if (this.actor.hasRole(...READ_EVERYWHERE)) return null;
      throw new Forbidden();
    }
    if (this.view(person) === 'party') throw new Forbidden();
    return person;
  }

  /**
   * A person another subgraph refers to (an order's requester, a redemption's holder, an account's holder). The
   * gateway sends a reference only after the referring subgraph returned it from a record the caller may read, and
   * clients cannot send references of their own (`_entities` is not in the gateway's schema; subgraphs accept only
   * the gateway's signed operations): the reference is the party relation. The fields keep their rules (`view`).
   */
  async reference(id: string): Promise<Person | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.personById.load(id) : null;
  }

  /** The signed-in person; a token issued before its account was closed is refused (it lives out its TTL otherwise). */
  async me(): Promise<Person | null> {
    const claims = this.actor.requireAuthenticated();
    const person = isBigintId(claims.sub) ? await this.loaders.personById.load(claims.sub) : null;
    if (person?.closedAt) throw new Unauthenticated('accountClosed');
    return person;
  }

  /** How much of `person` the caller sees; see `PersonView`. */
  view(person: Person): PersonView {
    if (this.actor.personId === person.id || this.signedIn.has(person)) return 'clear';
    const path = person.homeUnitPath ?? person.staffUnitPath;
    if (path && this.actor.inScope(path, SCOPED_STAFF)) return 'clear';
    if (this.actor.hasRole('DISPATCHER') || (path && this.actor.inScope(path, MASKED_STAFF))) return 'masked';
    return 'party';
  }

  realName(person: Person): string {
    return this.view(person) === 'clear' ? person.realName : maskName(person.realName);
  }

  mobile(person: Person): string | null {
    if (!person.mobile) return null;
    return this.view(person) === 'clear' ? person.mobile : maskMobile(person.mobile);
  }

  /** In clear, masked, or refused to parties: no order, redemption or transfer needs another's ID number. */
  idNumber(person: Person): string | null {
    const view = this.view(person);
    if (view === 'party') throw new Forbidden();
    if (!person.idNumberSealed) return null;
    return view === 'clear' ? this.identity.vault.decrypt(person.idNumberSealed) : person.idNumberMasked;
  }

  /** The document type, as the ID number: in clear and masked views; refused to parties. */
  documentType(person: Person): Person['documentType'] {
    if (this.view(person) === 'party') throw new Forbidden();
    return person.documentType;
  }

  /** Sex: for the person, staff in scope and the masked views (analysts count by it); refused to parties. */
  gender(person: Person): Person['gender'] {
    if (this.view(person) === 'party') throw new Forbidden();
    return person.gender;
  }

  /** Birth date: in clear only; the masked views see the year (`1985`), parties are refused. */
  birthDate(person: Person): string | null {
    const view = this.view(person);
    if (view === 'party') throw new Forbidden();
    if (!person.birthDate) return null;
    return view === 'clear' ? person.birthDate : person.birthDate.slice(0, 4);
  }

  /** A resident opens an account (self-service on the phone) and is signed in. */
  async signUp(raw: unknown): Promise<LoginResult> {
    const input = parseInput(signUpInput, raw);
    const identity = resolveIdentity(input);
    const person = await this.dataSource.transaction(async (manager) => {
      const home = await this.homeUnit(manager, input.homeUnitId, 'input.homeUnitId');
      return this.insertPerson(manager, {
        realName: input.realName,
        mobile: input.mobile,
        ...identity,
        passwordHash: await hashPassword(input.password, this.identity.config.PASSWORD_HASH_COST),
        roles: ['RESIDENT'],
        home,
        createdBy: 'self',
      });
    });
    return this.issueToken(person);
  }

  /**
   * Signs in by phone and password. An unknown phone and a wrong password get the same answer in the same time;
   * `LOGIN_MAX_FAILURES` failures in a row lock the account for `LOGIN_LOCK_SECONDS`, right password or not.
   */
  async login(raw: unknown): Promise<LoginResult> {
    const input = parseInput(loginInput, raw);
    const person = await this.dataSource.getRepository(Person).findOneBy({ mobile: input.phone });
    if (!person?.passwordHash) {
      await verifyPassword(input.password, await decoyHash(this.identity.config.PASSWORD_HASH_COST));
      throw new Unauthenticated('invalidCredentials');
    }
    this.assertNotLocked(person.lockedUntil);
    if (!(await verifyPassword(input.password, person.passwordHash))) {
      // One statement, so concurrent attempts all count; a lock that has run out starts the count afresh.
      const [rows] = await this.dataSource.query(
        `UPDATE person SET
            failed_logins = CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END,
            locked_until = CASE
              WHEN (CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END) >= $2 THEN now() + make_interval(secs => $3)
              WHEN locked_until <= now() THEN NULL
              ELSE locked_until END
          WHERE id = $1 RETURNING locked_until`,
        [person.id, this.identity.config.LOGIN_MAX_FAILURES, this.identity.config.LOGIN_LOCK_SECONDS],
      );
      this.assertNotLocked(rows[0]?.locked_until ?? null);
      throw new Unauthenticated('invalidCredentials');
    }
    // A concurrent wrong attempt may have locked the account meanwhile: the reset only applies if it is still open.
    const [resetRows] = await this.dataSource.query(
      `UPDATE person SET failed_logins = 0, locked_until = NULL
        WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now()) RETURNING id`,
      [person.id],
    );
    if (resetRows.length === 0) {
      const fresh = await this.dataSource.getRepository(Person).findOneByOrFail({ id: person.id });
      this.assertNotLocked(fresh.lockedUntil);
    }
    return this.issueToken(person);
  }

  async changePassword(raw: unknown): Promise<Person> {
    const claims = this.actor.requireAuthenticated();
    if (!isBigintId(claims.sub)) throw new Forbidden(); // a worker (SERVICE) is not a person and has no password
    const input = parseInput(changePasswordInput, raw);
    const person = await this.dataSource.getRepository(Person).findOneBy({ id: claims.sub });
    if (!person?.passwordHash) throw new Unauthenticated('required');
    if (!(await verifyPassword(input.currentPassword, person.passwordHash))) {
      throw new BadUserInput('input.currentPassword', { key: 'input.invalid' });
    }
    await this.dataSource.query('UPDATE person SET password_hash = $2, updated_at = now() WHERE id = $1', [
      person.id,
      await hashPassword(input.newPassword, this.identity.config.PASSWORD_HASH_COST),
    ]);
    return person;
  }

  /** An admin opens a staff account for a unit of their subtree, with a role they may grant. */
  async createStaffAccount(raw: unknown): Promise<Person> {
    const claims = this.actor.requireRole('CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN');
    const input = parseInput(createStaffAccountInput, raw);
    const identity = resolveIdentity(input);
    const role = input.role as Role;
    const grantable = new Set(claims.roles.flatMap((held) => GRANTS[held] ?? []));
    if (!grantable.has(role)) throw new Forbidden();
    return this.dataSource.transaction(async (manager) => {
      const unit = await findUnit(manager, input.unitId);
      if (!unit) throw new BadUserInput('input.unitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: input.unitId });
      this.actor.requireScope(unit.path, 'CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN');
      if (!ROLE_LEVEL[role]?.includes(unit.level)) {
        throw new BadUserInput('input.unitId', { key: 'input.invalid', detail: `${role} administers a ${ROLE_LEVEL[role]?.join('/')}` });
      }
      return this.insertPerson(manager, {
        realName: input.realName,
        mobile: input.mobile,
        ...identity,
        passwordHash: await hashPassword(input.initialPassword, this.identity.config.PASSWORD_HASH_COST),
        roles: ['RESIDENT', role],
        home: unit,
        staffUnit: unit,
        createdBy: claims.sub,
      });
    });
  }

  private assertNotLocked(lockedUntil: Date | null): void {
    if (lockedUntil && lockedUntil.getTime() > Date.now()) {
      throw new Unauthenticated('accountLocked', { retryAfterMinutes: Math.ceil((lockedUntil.getTime() - Date.now()) / 60_000) });
    }
  }

  private async homeUnit(manager: EntityManager, id: string, field: string): Promise<UnitRef> {
    const unit = await findUnit(manager, id);
    if (!unit || (unit.level !== 'STATION' && unit.level !== 'POINT')) {
      throw new BadUserInput(field, { key: 'input.unknownReference', entity: 'station', entityZh: '实践站', id });
    }
    return unit;
  }

  private insertPerson(manager: EntityManager, person: NewPerson): Promise<Person> {
    return insertPerson(manager, this.identity.vault, person);
  }

  /** A bearer token for `person`, who then sees their own data in this answer (login, sign-up, WeChat sign-in). */
  async issueToken(person: Person): Promise<LoginResult> {
    const { config } = this.identity;
    const staffRole = person.roles.find((role) => role !== 'RESIDENT' && role !== 'VOLUNTEER');
    const claims = {
      sub: person.id,
      roles: person.roles,
      ...(staffRole && person.staffUnitId ? { unitId: person.staffUnitId, unitPath: person.staffUnitPath! } : {}),
    };
    const token = await signToken(config, claims, config.JWT_TTL_SECONDS);
    this.signedIn.add(person);
    return { token, expiresAt: new Date(Date.now() + config.JWT_TTL_SECONDS * 1000), person };
  }
}
