import type { DataSource, EntityManager } from 'typeorm';
import { birthAndSexOf, maskIdNumber, PiiVault, withCheckDigit } from '@kz/auth';
import type { SeedActivity, SeedVolunteer, VolunteeringDataset } from '@kz/seed-data';
import { rebuildPeriodMinutes } from '../leaderboards/period-minutes';
import type { UnitRef } from '../units/unit-ref';

export interface TeamRefSeed {
  id: string;
  code: string;
  name: string;
  kind: string;
  homeUnitId: string;
  homeUnitPath: string;
}

export interface VolunteeringCounts {
  volunteers: number;
  activities: number;
  serviceRecords: number;
}

const CHUNK = 5_000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Bulk-loads volunteers, their squads, activities, sign-ups and service records: a few thousand rows per statement
 * (`unnest` of arrays), upserting by natural keys (mobile, activity key, volunteer × activity), so the 73,000
 * volunteers load in seconds and a second run changes nothing. Totals are recomputed from the verified records.
 * Bulk-loaded volunteers have no password: they set one through the app (a later issue), so no weak default exists.
 */
export async function seedVolunteering(
  dataSource: DataSource,
  vault: PiiVault,
  units: UnitRef[],
  teams: TeamRefSeed[],
  dataset: VolunteeringDataset,
): Promise<VolunteeringCounts> {
  return dataSource.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO team_ref (id, code, name, kind, home_unit_id, home_unit_path, version)
       SELECT * , to_timestamp(0) FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
       ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind,
         home_unit_id = EXCLUDED.home_unit_id, home_unit_path = EXCLUDED.home_unit_path
       WHERE team_ref.version <= EXCLUDED.version`,
      [teams.map((t) => t.id), teams.map((t) => t.code), teams.map((t) => t.name), teams.map((t) => t.kind), teams.map((t) => t.homeUnitId), teams.map((t) => t.homeUnitPath)],
    );
    const unitByCode = new Map(units.map((unit) => [unit.code, unit]));
    const teamByCode = new Map(teams.map((team) => [team.code, team]));
    for (const chunk of chunks(dataset.volunteers)) await upsertVolunteers(manager, vault, chunk, unitByCode);
    // Every volunteer by mobile, the demo logins (何毅) included.
    const known: { mobile: string; id: string }[] = await manager.query(
      'SELECT p.mobile, v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile IS NOT NULL',
    );
    const volunteerIds = new Map(known.map((row) => [row.mobile, row.id]));
    await upsertMemberships(manager, dataset.volunteers, volunteerIds, teamByCode);
    let records = 0;
    for (const chunk of chunks(dataset.activities)) {
      records += await upsertActivities(manager, chunk, unitByCode, volunteerIds);
    }
    await manager.query(
      `UPDATE volunteer v SET verified_minutes = coalesce(s.minutes, 0), service_count = coalesce(s.services, 0)
         FROM (SELECT v2.id, sum(r.minutes)::int AS minutes, count(r.id)::int AS services
                 FROM volunteer v2 LEFT JOIN service_record r ON r.volunteer_id = v2.id AND r.status = 'VERIFIED'
                GROUP BY v2.id) s
        WHERE s.id = v.id AND (v.verified_minutes, v.service_count) IS DISTINCT FROM (coalesce(s.minutes, 0), coalesce(s.services, 0))`,
    );
    await rebuildPeriodMinutes(manager);
    return { volunteers: dataset.volunteers.length, activities: dataset.activities.length, serviceRecords: records };
  });
}

async function upsertVolunteers(
  manager: EntityManager,
  vault: PiiVault,
  volunteers: SeedVolunteer[],
  unitByCode: Map<string, UnitRef>,
): Promise<void> {
  const stations = volunteers.map((v) => {
    const unit = unitByCode.get(v.stationCode);
    if (!unit) throw new Error(`seed data: unknown station ${v.stationCode}`);
    return unit;
  });
  const idNumbers = volunteers.map((v) => withCheckDigit(v.idNumberStem));
  const people: { id: string; mobile: string }[] = await manager.query(
    `INSERT INTO person (real_name, mobile, id_number_sealed, id_number_index, id_number_masked, roles, home_unit_id, home_unit_path, created_by,
                         document_type, gender, birth_date)
     SELECT n, m, s, i, k, CASE WHEN st = 'ACTIVE' THEN '{RESIDENT,VOLUNTEER}'::text[] ELSE '{RESIDENT}'::text[] END, u, p, 'seed', 'RESIDENT_ID', g, b
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[])
         AS x(n, m, s, i, k, st, u, p, g, b)
     ON CONFLICT (mobile) DO UPDATE SET real_name = EXCLUDED.real_name, home_unit_id = EXCLUDED.home_unit_id,
       home_unit_path = EXCLUDED.home_unit_path, roles = EXCLUDED.roles, document_type = EXCLUDED.document_type,
       gender = EXCLUDED.gender, birth_date = EXCLUDED.birth_date
     RETURNING id::text, mobile`,
    [
      volunteers.map((v) => v.realName),
      volunteers.map((v) => v.mobile),
      idNumbers.map((id) => vault.encrypt(id)),
      idNumbers.map((id) => vault.blindIndex(id)),
      idNumbers.map(maskIdNumber),
      volunteers.map((v) => v.status),
      stations.map((s) => s.id),
      stations.map((s) => s.path),
      idNumbers.map((id) => birthAndSexOf('RESIDENT_ID', id)!.gender),
      idNumbers.map((id) => birthAndSexOf('RESIDENT_ID', id)!.birthDate),
    ],
  );
  const personIds = new Map(people.map((row) => [row.mobile, row.id]));
  await manager.query(
    `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, skills, availability, registered_by)
     SELECT pid, st, u, p, string_to_array(sk, ','), av::jsonb, 'seed'
       FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS x(pid, st, u, p, sk, av)
     ON CONFLICT (person_id) DO UPDATE SET status = EXCLUDED.status, home_station_id = EXCLUDED.home_station_id,
       home_station_path = EXCLUDED.home_station_path, skills = EXCLUDED.skills, availability = EXCLUDED.availability`,
    [
      volunteers.map((v) => personIds.get(v.mobile)),
      volunteers.map((v) => v.status),
      stations.map((s) => s.id),
      stations.map((s) => s.path),
      volunteers.map((v) => v.skills.join(',')),
      volunteers.map((v) => JSON.stringify(v.availability)),
    ],
  );
}

async function upsertMemberships(
  manager: EntityManager,
  volunteers: SeedVolunteer[],
  volunteerIds: Map<string, string>,
  teamByCode: Map<string, TeamRefSeed>,
): Promise<void> {
  const members = volunteers.filter((v) => v.status === 'ACTIVE' && teamByCode.has(`T-SQUAD-${v.stationCode}`));
  for (const chunk of chunks(members)) {
    await manager.query(
      `INSERT INTO team_membership (volunteer_id, team_id, is_leader)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::boolean[])
       ON CONFLICT (volunteer_id, team_id) DO UPDATE SET is_leader = EXCLUDED.is_leader`,
      [chunk.map((v) => volunteerIds.get(v.mobile)), chunk.map((v) => teamByCode.get(`T-SQUAD-${v.stationCode}`)!.id), chunk.map((v) => v.isLeader)],
    );
  }
}

/** Activities (status DONE), their checked-out sign-ups and service records; returns the records in the chunk. */
async function upsertActivities(
  manager: EntityManager,
  activities: SeedActivity[],
  unitByCode: Map<string, UnitRef>,
  volunteerIds: Map<string, string>,
): Promise<number> {
  const unitOf = (a: SeedActivity) => unitByCode.get(a.stationCode)!;
  const ends = activities.map((a) => new Date(new Date(a.startsAt).getTime() + a.minutes * 60_000).toISOString());
  const rows: { id: string; external_key: string }[] = await manager.query(
    `INSERT INTO activity (external_key, title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at,
                           place_name, lat, lng, check_in_radius_m, capacity, status, signed_up, created_by)
     SELECT k, t, c, u, p, s::timestamptz, e::timestamptz, pn, 31.16, 108.39, 300, cap, 'DONE', n, 'seed'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[])
         AS x(k, t, c, u, p, s, e, pn, cap, n)
     ON CONFLICT (external_key) DO UPDATE SET title = EXCLUDED.title, category = EXCLUDED.category
     RETURNING id::text, external_key`,
    [
      activities.map((a) => a.key),
      activities.map((a) => a.title),
      activities.map((a) => a.category),
      activities.map((a) => unitOf(a).id),
      activities.map((a) => unitOf(a).path),
      activities.map((a) => a.startsAt),
      ends,
      activities.map((a) => unitOf(a).name),
      activities.map((a) => a.capacity),
      activities.map((a) => a.participants.length),
    ],
  );
  const activityIds = new Map(rows.map((row) => [row.external_key, row.id]));
  const participations = activities.flatMap((activity, index) =>
    activity.participants
      .filter((mobile) => volunteerIds.has(mobile))
      .map((mobile) => ({ activity, end: ends[index]!, volunteerId: volunteerIds.get(mobile)!, activityId: activityIds.get(activity.key)! })),
  );
  for (const chunk of chunks(participations)) {
    await manager.query(
      `INSERT INTO activity_signup (activity_id, volunteer_id, status, signed_up_at, checked_in_at, check_in_distance_m, checked_out_at, check_out_distance_m)
       SELECT a, v, 'CHECKED_OUT', s::timestamptz - interval '3 days', s::timestamptz, 20, e::timestamptz, 20
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS x(a, v, s, e)
       ON CONFLICT (activity_id, volunteer_id) DO NOTHING`,
      [chunk.map((p) => p.activityId), chunk.map((p) => p.volunteerId), chunk.map((p) => p.activity.startsAt), chunk.map((p) => p.end)],
    );
    await manager.query(
      `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, status,
                                   source, verified_by, verified_at, created_by, place, content)
       SELECT v, a, u, p, c, t, s::timestamptz, m, CASE WHEN ok THEN 'VERIFIED' ELSE 'PENDING' END, 'CHECK_OUT',
              CASE WHEN ok THEN 'seed' END, CASE WHEN ok THEN e::timestamptz + interval '1 day' END, 'seed', pl, t
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::boolean[], $10::text[],
                     $11::text[])
           AS x(v, a, u, p, c, t, s, m, ok, e, pl)
       ON CONFLICT (volunteer_id, activity_id) WHERE activity_id IS NOT NULL DO NOTHING`,
      [
        chunk.map((p) => p.volunteerId),
        chunk.map((p) => p.activityId),
        chunk.map((p) => unitOf(p.activity).id),
        chunk.map((p) => unitOf(p.activity).path),
        chunk.map((p) => p.activity.category),
        chunk.map((p) => p.activity.title),
        chunk.map((p) => p.activity.startsAt),
        chunk.map((p) => p.activity.minutes),
        chunk.map((p) => p.activity.verified),
        chunk.map((p) => p.end),
        // The activity's place (seed activities take place at their station).
        chunk.map((p) => unitOf(p.activity).name),
      ],
    );
  }
  return participations.length;
}
