import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { Actor, maskName, Role, STAFF_ROLES } from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import { isBigintId } from '@kz/subgraph';

/** The most ids one call of `volunteerPersons` or `notificationContacts` takes. */
export const MAX_SERVICE_READ_IDS = 500;

/** A person holding a staff role at a unit. */
export interface UnitStaff {
  personId: string;
  role: Role;
  unitId: string;
}

/** Which person a volunteer profile belongs to. */
export interface VolunteerPerson {
  volunteerId: string;
  personId: string;
}

/** How to reach a person: the mobile in clear, the openid of their bound WeChat account, the name masked. */
export interface PersonContact {
  personId: string;
  mobile: string | null;
  weChatOpenId: string | null;
  displayName: string;
}

interface StaffAboveKey {
  unitId: string;
  roles: Role[];
}

interface StaffRow {
  target_unit_id: string;
  person_id: string;
  role: Role;
  unit_id: string;
}

/**
 * Reads for workers (the notification worker), never for people: who administers a unit or its ancestors, whose
 * a volunteer profile is, and how to reach a person. SERVICE only (anyone else FORBIDDEN, anonymous
 * UNAUTHENTICATED), each a constant number of SQL statements however many ids or aliases a request holds.
 */
export class ServiceReadsService {
  private readonly staffLoader: DataLoader<StaffAboveKey, UnitStaff[], string>;

  constructor(
    private readonly manager: EntityManager,
    private readonly actor: Actor,
  ) {
    this.staffLoader = new DataLoader((keys) => this.loadStaffAbove(keys), {
      cacheKeyFn: (key) => `${key.unitId}|${[...key.roles].sort().join(',')}`,
    });
  }

  /**
   * People holding one of `roles` whose staff unit is the unit itself or one of its ancestors (by the paths of the
   * unit replica), nearest unit first, then by person id. Empty for a unit this service does not know.
   */
  async staffAbove(unitId: string, roles: Role[]): Promise<UnitStaff[]> {
    this.actor.requireRole('SERVICE');
    const wanted = [...new Set(roles)].filter((role) => STAFF_ROLES.includes(role));
    if (!isBigintId(unitId) || wanted.length === 0) return [];
    return this.staffLoader.load({ unitId, roles: wanted });
  }

  /** The person of each known volunteer profile, in the order asked; unknown ids are left out. */
  async volunteerPersons(volunteerIds: string[]): Promise<VolunteerPerson[]> {
    this.actor.requireRole('SERVICE');
    const ids = this.idsOf(volunteerIds, 'volunteerIds');
    if (ids.length === 0) return [];
    const rows: { id: string; person_id: string }[] = await this.manager.query(
      'SELECT id::text, person_id::text FROM volunteer WHERE id = ANY($1::bigint[])',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row.person_id]));
    return ids.filter((id) => byId.has(id)).map((id) => ({ volunteerId: id, personId: byId.get(id)! }));
  }

  /** Mobile (in clear), WeChat openid and masked name of each known person, in the order asked; unknown ids are left out. */
  async notificationContacts(personIds: string[]): Promise<PersonContact[]> {
    this.actor.requireRole('SERVICE');
    const ids = this.idsOf(personIds, 'personIds');
    if (ids.length === 0) return [];
    const rows: { id: string; mobile: string | null; real_name: string; openid: string | null }[] = await this.manager.query(
      'SELECT p.id::text, p.mobile, p.real_name, w.openid FROM person p LEFT JOIN wechat_binding w ON w.person_id = p.id WHERE p.id = ANY($1::bigint[])',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids
      .filter((id) => byId.has(id))
      .map((id) => {
        const row = byId.get(id)!;
        return { personId: id, mobile: row.mobile, weChatOpenId: row.openid, displayName: maskName(row.real_name) };
      });
  }

  /** At most `MAX_SERVICE_READ_IDS`, else BAD_USER_INPUT; ids that cannot match a row are dropped, repeats once. */
  private idsOf(ids: string[], field: string): string[] {
    if (ids.length > MAX_SERVICE_READ_IDS) {
      throw new BadUserInput(field, { key: 'input.invalid', detail: `at most ${MAX_SERVICE_READ_IDS} ids` });
    }
    return [...new Set(ids.filter(isBigintId))];
  }

  /** One statement for every `staffAbove` of a request: all their units and roles, split per key afterwards. */
  private async loadStaffAbove(keys: readonly StaffAboveKey[]): Promise<UnitStaff[][]> {
    const unitIds = [...new Set(keys.map((key) => key.unitId))];
    const roles = [...new Set(keys.flatMap((key) => key.roles))];
    const rows: StaffRow[] = await this.manager.query(
      `SELECT u.id::text AS target_unit_id, p.id::text AS person_id, r.role, p.staff_unit_id::text AS unit_id
         FROM unit_ref u
         JOIN person p ON p.staff_unit_path IS NOT NULL
                      AND (u.path = p.staff_unit_path OR starts_with(u.path, p.staff_unit_path || '/'))
         CROSS JOIN LATERAL unnest(p.roles) AS r(role)
        WHERE u.id = ANY($1::bigint[]) AND r.role = ANY($2::text[])
        ORDER BY u.id, length(p.staff_unit_path) DESC, p.id, r.role`,
      [unitIds, roles],
    );
    return keys.map((key) =>
      rows
        .filter((row) => row.target_unit_id === key.unitId && key.roles.includes(row.role))
        .map((row) => ({ personId: row.person_id, role: row.role, unitId: row.unit_id })),
    );
  }
}
