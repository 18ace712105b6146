import type { DataSource, EntityManager } from 'typeorm';
import { OrgDataset, SEVEN_HAVES, SeedTeam, SeedUnit } from '@kz/seed-data';
import { lockTree } from '../org-shared';

export interface SeedCounts {
  unitsInserted: number;
  unitsUpdated: number;
  teamsInserted: number;
  teamsUpdated: number;
}

interface Placed {
  id: string;
  path: string;
  depth: number;
}

/**
 * Loads a data set by natural key (`code`): missing records are inserted, existing ones get the data set's values,
 * and seven-haves lines already assessed by people are left alone. Running it twice, or a larger profile after a
 * smaller one, converges on the same rows. A bulk load, not user activity: it writes no domain events.
 */
export async function seedOrg(dataSource: DataSource, dataset: OrgDataset): Promise<SeedCounts> {
  return dataSource.transaction(async (manager) => {
    await lockTree(manager, 'exclusive');
    const counts: SeedCounts = { unitsInserted: 0, unitsUpdated: 0, teamsInserted: 0, teamsUpdated: 0 };
    const units = await placedByCode(manager, 'SELECT code, id::text, path, depth FROM practice_unit');
    for (const unit of dataset.units) {
      const existing = units.get(unit.code);
      if (existing) {
        await updateUnit(manager, unit);
        counts.unitsUpdated += 1;
      } else {
        units.set(unit.code, await insertUnit(manager, unit, unit.parentCode ? units.get(unit.parentCode) : undefined));
        counts.unitsInserted += 1;
      }
    }
    await seedSevenHaves(manager, dataset.units, units);
    const teams = await placedByCode(manager, `SELECT code, id::text, '' AS path, 0 AS depth FROM team`);
    for (const team of dataset.teams) {
      const home = units.get(team.homeUnitCode);
      const parent = team.parentCode ? teams.get(team.parentCode) : undefined;
      if (!home || (team.parentCode && !parent)) throw new Error(`seed data: ${team.code} refers to a record not seeded before it`);
      if (teams.has(team.code)) {
        await manager.query(
          `UPDATE team SET name = $2, kind = $3, specialty = $4, parent_team_id = $5, home_unit_id = $6, home_unit_path = $7,
                  updated_at = now() WHERE code = $1`,
          [team.code, team.name, team.kind, team.specialty, parent?.id ?? null, home.id, home.path],
        );
        counts.teamsUpdated += 1;
      } else {
        teams.set(team.code, await insertTeam(manager, team, home, parent));
        counts.teamsInserted += 1;
      }
    }
    return counts;
  });
}

async function placedByCode(manager: EntityManager, sql: string): Promise<Map<string, Placed>> {
  const rows: (Placed & { code: string })[] = await manager.query(sql);
  return new Map(rows.map(({ code, ...placed }) => [code, placed]));
}

async function insertUnit(manager: EntityManager, unit: SeedUnit, parent: Placed | undefined): Promise<Placed> {
  if (unit.parentCode && !parent) throw new Error(`seed data: ${unit.code} comes before its parent ${unit.parentCode}`);
  const [{ id }] = await manager.query(`SELECT nextval(pg_get_serial_sequence('practice_unit', 'id'))::text AS id`);
  const placed = { id, path: parent ? `${parent.path}/${id}` : String(id), depth: parent ? parent.depth + 1 : 0 };
  await manager.query(
    `INSERT INTO practice_unit (id, code, name, level, parent_id, path, depth, is_demonstration, address, lat, lng,
                                contact_name, contact_phone)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      unit.code,
      unit.name,
      unit.level,
      parent?.id ?? null,
      placed.path,
      placed.depth,
      unit.isDemonstration,
      unit.address,
      unit.lat,
      unit.lng,
      unit.contactName,
      unit.contactPhone,
    ],
  );
  return placed;
}

async function updateUnit(manager: EntityManager, unit: SeedUnit): Promise<void> {
  await manager.query(
    `UPDATE practice_unit SET name = $2, is_demonstration = $3, address = $4, lat = $5, lng = $6, contact_name = $7,
            contact_phone = $8, updated_at = now()
      WHERE code = $1 AND (name, is_demonstration, address, lat, lng, contact_name, contact_phone)
            IS DISTINCT FROM ($2, $3, $4, $5::double precision, $6::double precision, $7, $8)`,
    [unit.code, unit.name, unit.isDemonstration, unit.address, unit.lat, unit.lng, unit.contactName, unit.contactPhone],
  );
}

async function insertTeam(manager: EntityManager, team: SeedTeam, home: Placed, parent: Placed | undefined): Promise<Placed> {
  const [{ id }] = await manager.query(
    `INSERT INTO team (code, name, kind, specialty, parent_team_id, home_unit_id, home_unit_path)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text`,
    [team.code, team.name, team.kind, team.specialty, parent?.id ?? null, home.id, home.path],
  );
  return { id, path: '', depth: 0 };
}

async function seedSevenHaves(manager: EntityManager, units: SeedUnit[], placed: Map<string, Placed>): Promise<void> {
  const unitIds: string[] = [];
  const items: string[] = [];
  const met: boolean[] = [];
  for (const unit of units) {
    const id = placed.get(unit.code)!.id;
    for (const item of SEVEN_HAVES) {
      unitIds.push(id);
      items.push(item);
      met.push(unit.sevenHavesMet.includes(item));
    }
  }
  await manager.query(
    `INSERT INTO seven_haves_check (unit_id, item, met, evidence, updated_by)
     SELECT u, i, m, '种子数据（演示）', 'seed' FROM unnest($1::bigint[], $2::text[], $3::boolean[]) AS s(u, i, m)
     ON CONFLICT (unit_id, item) DO NOTHING`,
    [unitIds, items, met],
  );
}
