import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, PiiVault } from '@kz/auth';
import { Forbidden, NotFound } from '@kz/errors';
import { isBigintId, parseInput } from '@kz/subgraph';
import type { Person } from '../people/person.entity';
import type { PersonService } from '../people/person.service';
import { REGISTRARS } from '../volunteers/volunteer-state-machine';
import { ageOfPerson, checkConsent, ConsentRow, consentOf, insertConsents } from './consent';
import { recordConsentInput } from './consent.input';

/** Each person's consents, newest first: one statement for any number of people. */
export function consentsByPersonLoader(manager: EntityManager) {
  return new DataLoader<string, ConsentRow[]>(async (personIds) => {
    const rows: Record<string, unknown>[] = await manager.query(
      'SELECT * FROM consent WHERE person_id = ANY($1::bigint[]) ORDER BY person_id, given_at DESC, id DESC',
      [personIds],
    );
    const byPerson = new Map<string, ConsentRow[]>();
    for (const consent of rows.map(consentOf)) byPerson.set(consent.personId, [...(byPerson.get(consent.personId) ?? []), consent]);
    return personIds.map((id) => byPerson.get(id) ?? []);
  });
}

/**
 * Consents (PIPL Arts. 14, 28, 29, 31; 办法 Art. 6): a person records their own (method SELF); staff who register
 * people of their subtree record one given on paper (method ASSISTED, with the form's reference). Read by those who
 * see the person in clear.
 */
export class ConsentService {
  private readonly byPerson: DataLoader<string, ConsentRow[]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly people: PersonService,
    private readonly vault: PiiVault,
  ) {
    this.byPerson = consentsByPersonLoader(dataSource.manager);
  }

  /** The person's consents, newest first: for the person and staff who see them in clear; FORBIDDEN to others. */
  async of(person: Person): Promise<ConsentRow[]> {
    if (this.people.view(person) !== 'clear') throw new Forbidden();
    return this.byPerson.load(person.id);
  }

  async record(raw: unknown): Promise<ConsentRow> {
    const claims = this.actor.requireAuthenticated();
    if (!isBigintId(claims.sub)) throw new Forbidden(); // a worker is no person and gives no consent
    const input = parseInput(recordConsentInput, raw);
    const personId = input.personId ?? claims.sub;
    const assisted = personId !== claims.sub;
    if (assisted) this.actor.requireRole(...REGISTRARS);
    return this.dataSource.transaction(async (manager) => {
      const [person]: { home_unit_path: string | null; staff_unit_path: string | null }[] = await manager.query(
        'SELECT home_unit_path, staff_unit_path FROM person WHERE id = $1 FOR UPDATE',
        [personId],
      );
      if (!person) throw this.actor.hasRole('CENTER_ADMIN') ? new NotFound('Person', personId, '人员') : new Forbidden();
      if (assisted) this.actor.requireScope(person.home_unit_path ?? person.staff_unit_path ?? '', ...REGISTRARS);
      checkConsent(input, await ageOfPerson(manager, this.vault, personId), assisted, 'input');
      const [id] = await insertConsents(manager, personId, [input.purpose], input, assisted, claims.sub);
      const [row] = await manager.query('SELECT * FROM consent WHERE id = $1', [id]);
      return consentOf(row);
    });
  }
}
