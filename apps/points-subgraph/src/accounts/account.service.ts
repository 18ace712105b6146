import type { Actor } from '@kz/auth';
import { isBigintId } from '@kz/subgraph';
import type { PointsLoaders } from '../loaders';
import type { PointsAccount } from './account.entity';

/**
 * Reads of points accounts. For now any authenticated caller may read them; "own account, or staff in scope"
 * (`ROLES.md`) arrives with the ledger.
 */
export class AccountService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: PointsLoaders,
  ) {}

  async get(id: string): Promise<PointsAccount | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.accountById.load(id) : null;
  }

  async ofPerson(personId: string): Promise<PointsAccount | null> {
    this.actor.requireAuthenticated();
    return isBigintId(personId) ? this.loaders.accountByPerson.load(personId) : null;
  }
}
