import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import { parseInput } from '@kz/subgraph';
import { EarningRule, insertRuleVersion, rulesInForce } from './earning-rule';
import { setEarningRuleInput } from './earning.input';

/** How far in the past `effectiveFrom` may be (clock skew between client and server); it is then taken as now. */
const SKEW_MS = 60_000;

/** Reading and setting earning rules. Setting is the center's (CENTER_ADMIN); anyone signed in may read them. */
export class EarningService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
  ) {}

  /** The rules in force now, the default first. */
  async rulesInForce(): Promise<EarningRule[]> {
    this.actor.requireAuthenticated();
    return rulesInForce(this.dataSource.manager);
  }

  /**
   * Adds a new version of a category's rule (or of the default). Never updates one: credits already made, and
   * hours verified before `effectiveFrom`, keep the version they were made under.
   */
  async setRule(input: unknown): Promise<EarningRule> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const parsed = parseInput(setEarningRuleInput, input);
    if (parsed.effectiveFrom && parsed.effectiveFrom.getTime() < Date.now() - SKEW_MS) {
      throw new BadUserInput('input.effectiveFrom', { key: 'input.inPast' });
    }
    return insertRuleVersion(this.dataSource.manager, {
      category: parsed.category ?? null,
      pointsPerHour: parsed.pointsPerHour,
      multiplier: parsed.multiplier ?? 1,
      dailyCap: parsed.dailyCap ?? null,
      effectiveFrom: parsed.effectiveFrom ?? null,
      createdBy: claims.sub,
    });
  }
}
