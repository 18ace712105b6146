import type { Actor, Role } from '@kz/auth';
import { BadUserInput, Forbidden, NotFound } from '@kz/errors';
import { Connection, isBigintId, PageArgs, readPage, toConnection } from '@kz/subgraph';
import type { PointsLoaders } from '../loaders';
import type { PointsAccount } from './account.entity';
import type { StatementFilter } from './account.input';
import type { PointsStatsRow, TransactionView } from './account.loaders';
import { parseCardNumber } from './card-number';

/** Staff who see the accounts of people (and the statements of pools) in their subtree; the center admin everywhere. */
export const ACCOUNT_STAFF: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];
/** Staff who read the points figures of any unit; other staff read those of their subtree. */
const STATS_EVERYWHERE: Role[] = ['CENTER_ADMIN', 'DISPATCHER'];
const STATS_READERS: Role[] = ['GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'DISPATCHER', 'CENTER_ADMIN', 'ANALYST'];

const CURSOR_KIND = 'pointsTransaction';

/** A person as `Person.pointsAccount` receives them: the key and, through `@requires`, their home unit. */
export interface Holder {
  id: string;
  homeUnit?: { id: string } | null;
}

/**
 * Reads of love bank accounts, with who may see what (`ROLES.md`): a person's account is seen by its holder, by
 * station and institute staff whose subtree holds its home station, and by the center admin. A station's pool shows
 * its balance to anyone signed in and its statement to staff in scope. System accounts are the center admin's.
 * A denial never says whether the account exists.
 */
export class AccountService {
  /** Accounts this request reached through their holder, whose home lies in the caller's scope (`ofPerson`). */
  private readonly seenThroughHolder = new Set<string>();

  constructor(
    private readonly actor: Actor,
    private readonly loaders: PointsLoaders,
  ) {}

  /**
   * `pointsAccount(id)`: by id or by card number; FORBIDDEN unless the caller may see it (or, if missing, is the center
   * admin or a worker). Workers (SERVICE) reach any account, for who holds it; its figures stay guarded field by field.
   */
  async get(idOrCardNumber: string): Promise<PointsAccount | null> {
    this.actor.requireAuthenticated();
    const account = await this.lookup(idOrCardNumber, 'id');
    if (!account) {
      if (this.actor.hasRole('CENTER_ADMIN', 'SERVICE')) return null;
      throw new Forbidden();
    }
    if (!this.actor.hasRole('SERVICE')) this.requireBalances(account);
    return account;
  }

  /** The signed-in person's own account, or null until they first earn or receive points. */
  async mine(): Promise<PointsAccount | null> {
    const claims = this.actor.requireAuthenticated();
    return isBigintId(claims.sub) ? this.loaders.accountByPerson.load(claims.sub) : null;
  }

  /**
   * `Person.pointsAccount` (and `Volunteer.pointsAccount`): for the person, the center admin, and station and institute
   * admins whose subtree holds the person's home or the account, the account or null if there is none yet; FORBIDDEN
   * to anyone else whether or not there is one. Staff in scope of the holder's home see the account as its holder's
   * staff would (an account opened by a transfer has no station of its own yet).
   */
  async ofPerson(person: Holder): Promise<PointsAccount | null> {
    const claims = this.actor.requireAuthenticated();
    const account = isBigintId(person.id) ? await this.loaders.accountByPerson.load(person.id) : null;
    if (account && this.canSeeBalances(account)) return account;
    const home = person.homeUnit?.id && isBigintId(person.homeUnit.id) ? await this.loaders.unitRefById.load(person.homeUnit.id) : null;
    const mayHold =
      claims.sub === person.id || this.actor.hasRole('CENTER_ADMIN') || (!!home && this.actor.inScope(home.path, ACCOUNT_STAFF));
    if (!mayHold) throw new Forbidden();
    if (account) this.seenThroughHolder.add(account.id);
    return account;
  }

  /** A reference from the gateway (e.g. a counterparty): the account, whose figures stay guarded field by field. */
  async reference(id: string): Promise<PointsAccount | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.accountById.load(id) : null;
  }

  /** An account by id or card number; a malformed card number is BAD_USER_INPUT naming `field`. */
  async lookup(idOrCardNumber: string, field: string): Promise<PointsAccount | null> {
    const value = idOrCardNumber.trim();
    if (isBigintId(value)) return this.loaders.accountById.load(value);
    if (/^kz/i.test(value)) {
      const cardNumber = parseCardNumber(value);
      if (!cardNumber) throw new BadUserInput(field, { key: 'points.cardNumber' });
      return this.loaders.accountByCardNumber.load(cardNumber);
    }
    return null;
  }

  canSeeBalances(account: PointsAccount): boolean {
    if (!this.actor.isAuthenticated) return false;
    if (this.actor.hasRole('CENTER_ADMIN') || this.seenThroughHolder.has(account.id)) return true;
    switch (account.kind) {
      case 'PERSON':
        return account.personId === this.actor.personId || (!!account.unitPath && this.actor.inScope(account.unitPath, ACCOUNT_STAFF));
      case 'POOL':
        return true;
      case 'MERCHANT':
        // A partner merchant's account: the admins of its unit; its staff see the figures on `Merchant.balance`.
        return !!account.unitPath && this.actor.inScope(account.unitPath, ACCOUNT_STAFF);
      default:
        return false;
    }
  }

  canSeeStatement(account: PointsAccount): boolean {
    if (account.kind === 'POOL') return !!account.unitPath && this.actor.inScope(account.unitPath, ACCOUNT_STAFF);
    return this.canSeeBalances(account);
  }

  /** Guards the figures of an account reached without an entry check (a counterparty, a reference). */
  requireBalances(account: PointsAccount): void {
    this.actor.requireAuthenticated();
    if (!this.canSeeBalances(account)) throw new Forbidden();
  }

  /** The account's statement, newest first, filtered by kind and time. */
  async statement(account: PointsAccount, filter: StatementFilter | null | undefined, args: PageArgs): Promise<Connection<TransactionView>> {
    this.actor.requireAuthenticated();
    if (!this.canSeeStatement(account)) throw new Forbidden();
    const page = readPage(args, CURSOR_KIND);
    if (page.afterKey !== null && !isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
    const clean: StatementFilter = { kinds: filter?.kinds ?? null, from: filter?.from ?? null, to: filter?.to ?? null };
    if (clean.from && clean.to && clean.to <= clean.from) {
      throw new BadUserInput('filter.to', { key: 'input.invalid', detail: 'the end of the period must be after its start' });
    }
    const rows = await this.loaders.statementPage.load({ accountId: account.id, page, filter: clean });
    return toConnection(rows, page, CURSOR_KIND, (row) => row.id, () => this.loaders.statementCount.load({ accountId: account.id, filter: clean }));
  }

  /** One transaction as the statement of `accountId` shows it (the result of a movement the caller just made). */
  transactionOn(transactionId: string, accountId: string): Promise<TransactionView | null> {
    return this.loaders.transactionView.load({ transactionId, accountId });
  }

  /**
   * A transaction by id, seen from the caller's own account if it is on it, else from the first account whose
   * statement the caller may read; FORBIDDEN when there is none (and for a missing one, but to the center admin).
   */
  async transaction(id: string): Promise<TransactionView | null> {
    const claims = this.actor.requireAuthenticated();
    const postings = isBigintId(id) ? await this.loaders.postingsOf.load(id) : [];
    if (postings.length === 0) {
      if (this.actor.hasRole('CENTER_ADMIN')) return null;
      throw new Forbidden();
    }
    const own = postings.find((posting) => posting.personId === claims.sub);
    let perspective = own?.accountId;
    for (const posting of postings) {
      if (perspective) break;
      const account = await this.loaders.accountById.load(posting.accountId);
      if (account && account.kind !== 'SYSTEM' && this.canSeeStatement(account)) perspective = account.id;
    }
    if (!perspective && this.actor.hasRole('CENTER_ADMIN')) perspective = postings[0]!.accountId;
    if (!perspective) throw new Forbidden();
    return this.transactionOn(id, perspective);
  }

  /** A station's donation pool, or null while nobody has given to it. */
  async pool(unitId: string): Promise<PointsAccount | null> {
    this.actor.requireAuthenticated();
    return isBigintId(unitId) ? this.loaders.poolByUnit.load(unitId) : null;
  }

  /** The points figures of a unit's subtree: staff of that subtree, and the center. */
  async stats(unitId: string): Promise<PointsStatsRow> {
    this.actor.requireRole(...STATS_READERS);
    const unit = isBigintId(unitId) ? await this.loaders.unitRefById.load(unitId) : null;
    if (!unit) {
      if (this.actor.hasRole(...STATS_EVERYWHERE)) throw new NotFound('PracticeUnit', unitId, '单位');
      throw new Forbidden();
    }
    if (!this.actor.hasRole(...STATS_EVERYWHERE)) this.actor.requireScope(unit.path, ...STATS_READERS);
    return this.loaders.pointsStats.load(unit.path);
  }
}
